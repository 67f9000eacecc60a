package io.tokenserver.token;

import java.util.List;

/** A validated request for an RTC (video/voice) token. */
public record RtcTokenRequest(String channel, Role role, RtcUser user, int expirySeconds)
    implements TokenRequest {

  /** What an RTC token allows beyond joining the channel. */
  public enum Role {
    /** Join and publish audio, video and data streams. */
    PUBLISHER,
    /** Join only; the seeds call it "audience" as well as "subscriber". */
    SUBSCRIBER;

    public static Role parse(String text) {
      if (text != null) {
        switch (text) {
          case "publisher":
            return PUBLISHER;
          case "subscriber":
          case "audience":
            return SUBSCRIBER;
          default:
            break;
        }
      }
      throw new InvalidTokenRequestException("role", "must be publisher, subscriber or audience");
    }
  }

  @Override
  public String kind() {
    return "rtc";
  }

  @Override
  public List<Grant> grants() {
    return List.of(new Grant.Channel(channel, user, role == Role.PUBLISHER));
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
