package io.tokenserver.auth;

/** Channel patterns from a JWT claim: {@code *} matches any run of characters (also none), all else literally. */
public final class ChannelPattern {

  private ChannelPattern() {
  }

  /** Glob match in linear time (no regex, no backtracking blow-up on many stars). */
  public static boolean matches(String pattern, String channel) {
    int p = 0;
    int c = 0;
    int star = -1;
    int resume = 0;
    while (c < channel.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        resume = c;
      } else if (p < pattern.length() && pattern.charAt(p) == channel.charAt(c)) {
        p++;
        c++;
      } else if (star >= 0) {
        p = star + 1;
        c = ++resume;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
