package io.tokenserver.token;

import java.util.Map;

/** Turns the raw inputs of each route into validated token requests. */
public final class TokenRequestParser {

  private final ExpiryPolicy expiry;

  public TokenRequestParser(ExpiryPolicy expiry) {
    this.expiry = expiry;
  }

  /** {@code /rtc/:channel/:role/:tokentype/:uid?expiry=}. */
  public RtcTokenRequest rtc(String channel, String role, String tokenType, String uid, String expiryText) {
    return new RtcTokenRequest(InputRules.channel(channel), RtcTokenRequest.Role.parse(role), InputRules.rtcUser(tokenType, uid),
        expiry.parse("expiry", expiryText));
  }

  /** {@code /rtm/:uid?expiry=}. */
  public RtmTokenRequest rtm(String userId, String expiryText) {
    return new RtmTokenRequest(InputRules.rtmUserId("uid", userId), expiry.parse("expiry", expiryText));
  }

  /** {@code /chat/app} when {@code userId} is null, {@code /chat/account/:chatid} otherwise. */
  public ChatTokenRequest chat(String userId, String expiryText) {
    int seconds = expiry.parse("expiry", expiryText);
    return userId == null ? ChatTokenRequest.app(seconds) : ChatTokenRequest.user(InputRules.userId("chatid", userId), seconds);
  }

  /**
   * The Go service's {@code POST /getToken} body: {@code tokenType} rtc|rtm|chat, {@code channel}, {@code role},
   * {@code uid} (for rtc a number means a uid, anything else a user account; for chat none means the app
   * token) and {@code expire}. For rtm a {@code channel} adds joining that RTC channel and publishing data
   * streams in it, as the Go service's RTM builder does.
   */
  public TokenRequest getTokenBody(Map<String, Object> body) {
    String tokenType = text(body, "tokenType");
    int seconds = expiry.parse("expire", number(body, "expire"));
    if (tokenType == null) {
      throw new InvalidTokenRequestException("tokenType", "is required: rtc, rtm or chat");
    }
    switch (tokenType) {
      case "rtc": {
        String uid = required(body, "uid");
        RtcUser user = body.get("uid") instanceof Number || InputRules.allDigits(uid)
            ? InputRules.uid("uid", uid)
            : new RtcUser.Account(InputRules.userAccount("uid", uid));
        String role = required(body, "role");
        return new RtcTokenRequest(InputRules.channel(required(body, "channel")), RtcTokenRequest.Role.parse(role), user, seconds);
      }
      case "rtm": {
        String channel = text(body, "channel");
        return new RtmTokenRequest(InputRules.rtmUserId("uid", required(body, "uid")), seconds,
            channel == null || channel.isEmpty() ? null : InputRules.streamChannel(channel));
      }
      case "chat": {
        String uid = text(body, "uid");
        return uid == null || uid.isEmpty()
            ? ChatTokenRequest.app(seconds)
            : ChatTokenRequest.user(InputRules.userId("uid", uid), seconds);
      }
      default:
        throw new InvalidTokenRequestException("tokenType", "must be rtc, rtm or chat");
    }
  }

  private static String required(Map<String, Object> body, String field) {
    String value = text(body, field);
    if (value == null || value.isEmpty()) {
      throw new InvalidTokenRequestException(field, "is required");
    }
    return value;
  }

  /** A JSON string or an integral number, as text; other JSON types are a client error. */
  private static String text(Map<String, Object> body, String field) {
    Object value = body.get(field);
    if (value == null || value instanceof String) {
      return (String) value;
    }
    if (isIntegral(value)) {
      return value.toString();
    }
    throw new InvalidTokenRequestException(field, "must be a string");
  }

  /** {@code expire} must be a JSON integer (or digits in a string); 1.5, true or {} are rejected. */
  private static String number(Map<String, Object> body, String field) {
    Object value = body.get(field);
    if (value == null) {
      return null;
    }
    if (isIntegral(value) || value instanceof String) {
      return value.toString();
    }
    throw new InvalidTokenRequestException(field, "must be a whole number of seconds");
  }

  private static boolean isIntegral(Object value) {
    return value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger;
  }
}
