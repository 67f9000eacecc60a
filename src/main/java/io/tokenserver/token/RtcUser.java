package io.tokenserver.token;

/** Who an RTC token is for: a numeric uid or a string user account. */
public sealed interface RtcUser {

  /** The user as it is written into the token: uid 0 ("any uid may join") is the empty string. */
  String tokenValue();

  /** An unsigned 32-bit uid, 0…4294967295. */
  record Uid(long value) implements RtcUser {
    public static final long MAX = 0xFFFF_FFFFL;

    public Uid {
      if (value < 0 || value > MAX) {
        throw new IllegalArgumentException("uid out of range");
      }
    }

    @Override
    public String tokenValue() {
      return value == 0 ? "" : Long.toString(value);
    }
  }

  /** A user account, 1–255 bytes of the channel-name character set. */
  record Account(String name) implements RtcUser {
    @Override
    public String tokenValue() {
      return name;
    }
  }
}
