package io.tokenserver.token;

/** Signs AccessToken2 ({@code 007…}) tokens for validated requests. Implementations are thread-safe. */
public interface TokenMinter {

  String rtc(RtcTokenRequest request);

  String rtm(RtmTokenRequest request);

  String chat(ChatTokenRequest request);

  default String mint(TokenRequest request) {
    return request.mintWith(this);
  }
}
