package io.tokenserver.token;

import java.util.List;

/**
 * Any validated token request. It states everything the token it asks for grants ({@link #grants()}), and
 * is minted by double dispatch ({@link #mintWith}) rather than by type tests in every caller.
 */
public sealed interface TokenRequest permits RtcTokenRequest, RtmTokenRequest, ChatTokenRequest {

  int expirySeconds();

  /** The label used in metrics: {@code rtc}, {@code rtm} or {@code chat}. */
  String kind();

  /** Every channel (with its privileges), user and app right the minted token would carry. */
  List<Grant> grants();

  /** The same request, every field kept, with another expiry. */
  TokenRequest withExpiry(int seconds);

  String mintWith(TokenMinter minter);
}
