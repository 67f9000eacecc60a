package io.tokenserver.inspect;

/** A token that cannot be decoded; the message is a sentence for the user and never contains the token. */
final class MalformedTokenException extends Exception {

  MalformedTokenException(String message) {
    super(message, null, false, false);
  }
}
