package io.tokenserver.token;

/** How long tokens live: the default when the client names nothing, and the most it may ask for. */
public record ExpiryPolicy(int defaultSeconds, int maxSeconds) {

  /** Parses {@code ?expiry=} / {@code "expire"}: absent or empty means the default. */
  public int parse(String field, String value) {
    if (value == null || value.isEmpty()) {
      return defaultSeconds;
    }
    if (!InputRules.allDigits(value)) {
      throw new InvalidTokenRequestException(field, "must be a whole number of seconds from 1 to " + maxSeconds);
    }
    // More than 9 digits cannot be an int and is over any maximum anyway.
    long seconds = value.length() > 9 ? Long.MAX_VALUE : Long.parseLong(value);
    if (seconds < 1) {
      throw new InvalidTokenRequestException(field, "must be at least 1 second");
    }
    if (seconds > maxSeconds) {
      throw new InvalidTokenRequestException(field, "must be at most " + maxSeconds + " seconds");
    }
    return (int) seconds;
  }
}
