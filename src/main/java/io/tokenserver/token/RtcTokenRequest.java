package io.tokenserver.token;

/** A validated request for an RTC (video/voice) token. */
public record RtcTokenRequest(String channel, RtcRole role, RtcUser user, int expirySeconds)
    implements TokenRequest {
}
