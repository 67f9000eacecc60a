package io.tokenserver.token;

import java.util.List;

/**
 * A validated request for an RTM (signalling) login token. With a {@code streamChannel} (POST /getToken's
 * {@code channel}, as the Go service) the token also lets the user join that RTC channel and publish data
 * streams in it; {@code "*"} means any channel.
 */
public record RtmTokenRequest(String userId, int expirySeconds, String streamChannel) implements TokenRequest {

  public RtmTokenRequest(String userId, int expirySeconds) {
    this(userId, expirySeconds, null);
  }

  @Override
  public String kind() {
    return "rtm";
  }

  @Override
  public List<Grant> grants() {
    Grant login = new Grant.User("rtm", userId);
    return streamChannel == null ? List.of(login)
        // The RTC service of such a token names the RTM user id as its user account.
        : List.of(login, new Grant.Channel(streamChannel, new RtcUser.Account(userId), true));
  }

  @Override
  public RtmTokenRequest withExpiry(int seconds) {
    return new RtmTokenRequest(userId, seconds, streamChannel);
  }

  @Override
  public String mintWith(TokenMinter minter) {
    return minter.rtm(this);
  }
}
