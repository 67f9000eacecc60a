package io.tokenserver.token;

/** A validated request for an RTM (signalling) login token. */
public record RtmTokenRequest(String userId, int expirySeconds) implements TokenRequest {
}
