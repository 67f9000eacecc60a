package io.tokenserver.token;

/**
 * A validated request for an RTM (signalling) login token. With a {@code streamChannel} (POST /getToken's
 * {@code channel}, as the Go service) the token also lets the user join that RTC channel and publish data
 * streams in it; {@code "*"} means any channel.
 */
public record RtmTokenRequest(String userId, int expirySeconds, String streamChannel) implements TokenRequest {

  public RtmTokenRequest(String userId, int expirySeconds) {
    this(userId, expirySeconds, null);
  }
}
