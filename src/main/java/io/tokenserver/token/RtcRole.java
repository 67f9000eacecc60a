package io.tokenserver.token;

/** What an RTC token allows beyond joining the channel. */
public enum RtcRole {
  /** Join and publish audio, video and data streams. */
  PUBLISHER,
  /** Join only; the seeds call it "audience" as well as "subscriber". */
  SUBSCRIBER;

  public static RtcRole parse(String text) {
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
