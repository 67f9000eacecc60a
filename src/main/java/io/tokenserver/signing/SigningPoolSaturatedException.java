package io.tokenserver.signing;

/** The signing queue is full; the caller should answer 503 at once rather than wait. */
public final class SigningPoolSaturatedException extends RuntimeException {
  public SigningPoolSaturatedException() {
    super("the signing pool is saturated", null, false, false);
  }
}
