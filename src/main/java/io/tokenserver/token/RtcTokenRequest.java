package io.tokenserver.token;

import java.util.List;

/** A validated request for an RTC (video/voice) token. */
public record RtcTokenRequest(String channel, RtcRole role, RtcUser user, int expirySeconds)
    implements TokenRequest {

  @Override
  public String kind() {
    return "rtc";
  }

  @Override
  public List<Grant> grants() {
    return List.of(new Grant.Channel(channel, user, role == RtcRole.PUBLISHER));
  }

  @Override
  public RtcTokenRequest withExpiry(int seconds) {
    return new RtcTokenRequest(channel, role, user, seconds);
  }

  @Override
  public String mintWith(TokenMinter minter) {
    return minter.rtc(this);
  }
}
