package io.tokenserver.gate;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

import java.util.concurrent.atomic.LongAdder;

/** The 401 of the handlers that check credentials: counted, with the Bearer challenge, paid for by the address. */
final class Unauthorized {

  private static final CharSequence WWW_AUTHENTICATE = HttpHeaders.createOptimized("WWW-Authenticate");
  private static final CharSequence CHALLENGE = HttpHeaders.createOptimized("Bearer realm=\"agora-token-server\"");
  private static final CharSequence CHALLENGE_INVALID =
      HttpHeaders.createOptimized("Bearer realm=\"agora-token-server\", error=\"invalid_token\"");

  private final RateLimitHandler.AddressCharge addressCharge;
  private final LongAdder count;

  Unauthorized(RateLimitHandler.AddressCharge addressCharge, LongAdder count) {
    this.addressCharge = addressCharge;
    this.count = count;
  }

  /**
   * 401, unless the client address is over its rate: failed attempts count against the address. {@code presented}:
   * credentials were sent, but are not valid.
   */
  void refuse(RoutingContext ctx, String message, boolean presented) {
    addressCharge.before(ctx, () -> answer(ctx, message, presented));
  }

  /** 401 for a request whose address already paid for it. */
  void answer(RoutingContext ctx, String message, boolean presented) {
    count.increment();
    ctx.response().putHeader(WWW_AUTHENTICATE, presented ? CHALLENGE_INVALID : CHALLENGE);
    ctx.fail(new HttpException(401, message));
  }

  /** The credentials of an {@code Authorization: Bearer ...} header, or null. */
  static String bearer(String authorization) {
    if (authorization == null || authorization.length() < 8
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String credentials = authorization.substring(7).trim();
    return credentials.isEmpty() ? null : credentials;
  }
}
