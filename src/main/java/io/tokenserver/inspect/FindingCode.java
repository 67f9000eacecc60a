package io.tokenserver.inspect;

/** What a {@link Finding} is about; {@link #code()} is the stable machine code the JSON result carries. */
public enum FindingCode {
  /** Not a decodable 006 or 007 token: wrong prefix, bad base64, bad deflate data, truncated or oversized. */
  MALFORMED("malformed"),
  /** The token names another app id than this server's. */
  OTHER_APP_ID("other_app_id"),
  /** The signature matches neither the current nor the previous certificate. */
  INVALID_SIGNATURE("invalid_signature"),
  /** The signature matches the certificate that was in force before the last rotation. */
  PREVIOUS_CERTIFICATE("previous_certificate"),
  /** A 006 token whose channel or uid is unknown, so its signature cannot be checked. */
  SIGNATURE_UNCHECKED("signature_unchecked"),
  /** The token, or one of its privileges, has expired. */
  EXPIRED("expired"),
  /** The token, or one of its privileges, expires within the given number of seconds. */
  EXPIRING_SOON("expiring_soon"),
  /** A privilege ends before the token does. */
  PRIVILEGE_EXPIRES_BEFORE_TOKEN("privilege_expires_before_token"),
  /** An expiry that looks like a Unix timestamp where seconds are expected, or the other way round. */
  EXPIRY_UNIT_MIXUP("expiry_unit_mixup"),
  /** An RTC token without a uid (uid 0): any uid may join with it. */
  ANY_UID("any_uid"),
  /** An RTC token for channel {@code *}: any channel. */
  ANY_CHANNEL("any_channel"),
  /** An RTC user of digits that no numeric uid can match (leading zero, {@code 0}, above 4294967295). */
  UID_AS_ACCOUNT("uid_as_account"),
  /** An RTC and RTM token whose RTM user id is not its RTC user. */
  RTM_USER_DIFFERS("rtm_user_differs"),
  /** The channel the client joins (as given to the inspector) is not the token's. */
  CHANNEL_DIFFERS("channel_differs"),
  /** The uid or user id the client uses (as given to the inspector) is not the token's. */
  USER_DIFFERS("user_differs"),
  /** A service type this inspector does not know; it and the services after it are not decoded. */
  UNKNOWN_SERVICE("unknown_service");

  private final String code;

  FindingCode(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
