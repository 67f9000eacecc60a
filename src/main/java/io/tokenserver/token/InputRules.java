package io.tokenserver.token;

import java.nio.charset.StandardCharsets;

/**
 * Agora's input rules, turning raw client text into validated values or an
 * {@link InvalidTokenRequestException} that names the field and the rule.
 */
public final class InputRules {

  public static final int MAX_CHANNEL_BYTES = 63;
  public static final int MAX_ACCOUNT_BYTES = 255;
  public static final int MAX_USER_ID_BYTES = 64;

  /** Agora's character set for channel names and user accounts (all ASCII, so chars = bytes). */
  static final String ALLOWED_SPECIALS = " !#$%&()+-:;<=.>?@[]^_{|}~,";
  private static final String CHARSET_TEXT = "a-z A-Z 0-9 space and " + ALLOWED_SPECIALS.strip();
  private static final boolean[] ALLOWED = new boolean[128];

  static {
    for (char c = 'a'; c <= 'z'; c++) {
      ALLOWED[c] = true;
    }
    for (char c = 'A'; c <= 'Z'; c++) {
      ALLOWED[c] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      ALLOWED[c] = true;
    }
    for (char c : ALLOWED_SPECIALS.toCharArray()) {
      ALLOWED[c] = true;
    }
  }

  private InputRules() {
  }

  public static String channel(String value) {
    return agoraName("channel", value, MAX_CHANNEL_BYTES);
  }

  public static String userAccount(String field, String value) {
    return agoraName(field, value, MAX_ACCOUNT_BYTES);
  }

  /**
   * An unsigned 32-bit uid written as plain decimal digits without leading zeros ({@code 00} is not "any uid");
   * larger numbers are rejected, never truncated.
   */
  public static RtcUser.Uid uid(String field, String value) {
    if (value == null || value.isEmpty() || value.length() > 10 || !allDigits(value)
        || value.length() > 1 && value.charAt(0) == '0') {
      throw new InvalidTokenRequestException(field, "must be an integer from 0 to " + RtcUser.Uid.MAX);
    }
    long uid = Long.parseLong(value);
    if (uid > RtcUser.Uid.MAX) {
      throw new InvalidTokenRequestException(field, "must be an integer from 0 to " + RtcUser.Uid.MAX);
    }
    return new RtcUser.Uid(uid);
  }

  /** The {@code :tokentype/:uid} pair of the seed routes. */
  public static RtcUser rtcUser(String tokenType, String value) {
    if ("uid".equals(tokenType)) {
      return uid("uid", value);
    }
    if ("userAccount".equals(tokenType)) {
      return new RtcUser.Account(userAccount("uid", value));
    }
    throw new InvalidTokenRequestException("tokentype", "must be uid or userAccount");
  }

  /** An RTM user id: a {@link #userId} other than {@code "0"}, which the Go service refuses too. */
  public static String rtmUserId(String field, String value) {
    if ("0".equals(value)) {
      throw new InvalidTokenRequestException(field, "must not be 0: RTM user ids are strings, and 0 is refused");
    }
    return userId(field, value);
  }

  /** The channel an RTM token may also stream data in: a channel name, or {@code "*"} for any channel. */
  public static String streamChannel(String value) {
    return "*".equals(value) ? value : channel(value);
  }

  /**
   * An RTM or Chat user id: 1–64 bytes of valid UTF-8 without control or bidirectional formatting characters
   * (which make one id display as another). Invalid UTF-8 reaches here as U+FFFD, and is refused as such.
   */
  public static String userId(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw new InvalidTokenRequestException(field, "must not be empty");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c) || Character.isSurrogate(c) && !validSurrogatePair(value, i)
          || c == '\uFFFD' || isBidiControl(c)) {
        throw new InvalidTokenRequestException(field,
            "must be valid UTF-8 without control or bidirectional formatting characters");
      }
      if (Character.isHighSurrogate(c)) {
        i++;
      }
    }
    if (value.getBytes(StandardCharsets.UTF_8).length > MAX_USER_ID_BYTES) {
      throw new InvalidTokenRequestException(field, "must be at most " + MAX_USER_ID_BYTES + " bytes");
    }
    return value;
  }

  /** ALM, LRM, RLM, the embeddings and overrides (U+202A–U+202E) and the isolates (U+2066–U+2069). */
  private static boolean isBidiControl(char c) {
    return c == '\u061C' || c == '\u200E' || c == '\u200F' || c >= '\u202A' && c <= '\u202E'
        || c >= '\u2066' && c <= '\u2069';
  }

  private static boolean validSurrogatePair(String value, int i) {
    return Character.isHighSurrogate(value.charAt(i))
        && i + 1 < value.length()
        && Character.isLowSurrogate(value.charAt(i + 1));
  }

  private static String agoraName(String field, String value, int maxBytes) {
    if (value == null || value.isEmpty() || value.length() > maxBytes) {
      throw new InvalidTokenRequestException(field, "must be 1-" + maxBytes + " bytes of " + CHARSET_TEXT);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c >= 128 || !ALLOWED[c]) {
        throw new InvalidTokenRequestException(field, "must be 1-" + maxBytes + " bytes of " + CHARSET_TEXT);
      }
    }
    return value;
  }

  static boolean allDigits(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
