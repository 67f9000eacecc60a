package io.tokenserver.token;

/** The client sent something a token cannot be minted for; the message names the field and the rule. */
public final class InvalidTokenRequestException extends RuntimeException {

  private final String field;

  public InvalidTokenRequestException(String field, String rule) {
    super(field + " " + rule, null, false, false);
    this.field = field;
  }

  /** The offending field, a bounded value fit for a metric label. */
  public String field() {
    return field;
  }
}
