package io.tokenserver.token;

/** Any validated token request; {@link #kind()} is the label used in metrics and logs. */
public sealed interface TokenRequest permits RtcTokenRequest, RtmTokenRequest, ChatTokenRequest {

  int expirySeconds();

  default String kind() {
    if (this instanceof RtcTokenRequest) {
      return "rtc";
    }
    return this instanceof RtmTokenRequest ? "rtm" : "chat";
  }
}
