package io.tokenserver.token;

/**
 * Signs AccessToken2 ({@code 007…}) tokens for validated requests; {@link TokenRequest#mintWith} picks the
 * method. Implementations are thread-safe.
 */
public interface TokenMinter {

  String rtc(RtcTokenRequest request);

  String rtm(RtmTokenRequest request);

  String chat(ChatTokenRequest request);
}
