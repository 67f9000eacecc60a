package io.tokenserver.token;

/**
 * One right a token gives its holder. Every token request lists all of its grants, so that authorisation
 * checks each of them whatever route or field asked for it.
 */
public sealed interface Grant {

  /**
   * RTC: join {@code channel} as {@code user}; {@code publish} adds publishing (audio, video or data streams).
   * {@code channel} is {@code "*"} for any channel.
   */
  record Channel(String channel, RtcUser user, boolean publish) implements Grant {
  }

  /** Log in to RTM, or use Chat, as {@code userId}. */
  record User(String service, String userId) implements Grant {
  }

  /** Chat app privileges: admin rights over the whole Chat app (its REST API). */
  record ChatApp() implements Grant {
  }
}
