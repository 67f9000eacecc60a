package io.tokenserver.http;

import io.tokenserver.auth.Caller;
import io.tokenserver.auth.CallerGate;
import io.tokenserver.metrics.TokenMetrics;
import io.tokenserver.signing.SigningPool;
import io.tokenserver.signing.SigningPoolSaturatedException;
import io.tokenserver.token.InvalidTokenRequestException;
import io.tokenserver.token.RtcTokenRequest;
import io.tokenserver.token.RtmTokenRequest;
import io.tokenserver.token.TokenMinter;
import io.tokenserver.token.TokenRequest;
import io.tokenserver.token.TokenRequestParser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One method per route. Each validates on the event loop, then signs on the {@link SigningPool}; the
 * event loop never runs the HMAC and deflate work.
 */
final class TokenHandlers {

  private static final Logger LOG = LoggerFactory.getLogger(TokenHandlers.class);
  private static final Buffer PONG = Buffer.buffer("{\"message\":\"pong\"}");

  private final TokenRequestParser parser;
  private final TokenMinter minter;
  private final SigningPool pool;
  private final TokenMetrics metrics;

  TokenHandlers(TokenRequestParser parser, TokenMinter minter, SigningPool pool, TokenMetrics metrics) {
    this.parser = parser;
    this.minter = minter;
    this.pool = pool;
    this.metrics = metrics;
  }

  /** GET /ping → {"message":"pong"}. */
  void ping(RoutingContext ctx) {
    Responses.json(ctx.response(), 200, PONG);
  }

  /** GET /rtc/:channel/:role/:tokentype/:uid[?expiry=] → {"rtcToken":"007…"}. */
  void rtc(RoutingContext ctx) {
    RtcTokenRequest request = validated(ctx, () -> parser.rtc(ctx.pathParam("channel"), ctx.pathParam("role"),
        ctx.pathParam("tokentype"), ctx.pathParam("uid"), expiry(ctx)));
    if (request != null) {
      sign(ctx, () -> Responses.tokenBody("rtcToken", minter.rtc(request)), "rtc");
    }
  }

  /** GET /rtm/:uid[?expiry=] → {"rtmToken":"007…"}. */
  void rtm(RoutingContext ctx) {
    RtmTokenRequest request = validated(ctx, () -> parser.rtm(ctx.pathParam("uid"), expiry(ctx)));
    if (request != null) {
      sign(ctx, () -> Responses.tokenBody("rtmToken", minter.rtm(request)), "rtm");
    }
  }

  /**
   * GET /rte/:channel/:role/:tokentype/:rtcuid[/:rtmuid][?expiry=] → {"rtcToken":"…","rtmToken":"…"};
   * the RTM user id is {@code rtmuid}, or the RTC uid when it is absent.
   */
  void rte(RoutingContext ctx) {
    String rtcUid = ctx.pathParam("rtcuid");
    String rtmUid = ctx.pathParam("rtmuid") == null ? rtcUid : ctx.pathParam("rtmuid");
    RtcTokenRequest rtc = validated(ctx, () -> parser.rtc(ctx.pathParam("channel"), ctx.pathParam("role"),
        ctx.pathParam("tokentype"), rtcUid, expiry(ctx)));
    RtmTokenRequest rtm = rtc == null ? null : validated(ctx, () -> parser.rtm(rtmUid, expiry(ctx)));
    if (rtm != null) {
      sign(ctx, () -> {
        String rtcToken = minter.rtc(rtc);
        String rtmToken = minter.rtm(rtm);
        return Buffer.buffer(rtcToken.length() + rtmToken.length() + 30)
            .appendString("{\"rtcToken\":\"").appendString(rtcToken)
            .appendString("\",\"rtmToken\":\"").appendString(rtmToken).appendString("\"}");
      }, "rtc", "rtm");
    }
  }

  /** GET /chat/app[?expiry=] → {"chatToken":"007…"}, the Chat app-privilege token. */
  void chatApp(RoutingContext ctx) {
    chat(ctx, null);
  }

  /** GET /chat/account/:chatid[?expiry=] → {"chatToken":"007…"}, a Chat user token. */
  void chatAccount(RoutingContext ctx) {
    chat(ctx, ctx.pathParam("chatid"));
  }

  private void chat(RoutingContext ctx, String userId) {
    TokenRequest request = validated(ctx, () -> parser.chat(userId, expiry(ctx)));
    if (request != null) {
      sign(ctx, () -> Responses.tokenBody("chatToken", minter.mint(request)), "chat");
    }
  }

  /** POST /getToken with the Go service's JSON body → {"token":"007…"}. */
  void getToken(RoutingContext ctx) {
    JsonObject body = jsonObjectBody(ctx);
    if (body == null) {
      rejectInput(ctx, "body", "request body must be a JSON object");
      return;
    }
    TokenRequest request = validated(ctx, () -> parser.getTokenBody(body.getMap()));
    if (request != null) {
      sign(ctx, () -> Responses.tokenBody("token", minter.mint(request)), request.kind());
    }
  }

  private static JsonObject jsonObjectBody(RoutingContext ctx) {
    try {
      return ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static String expiry(RoutingContext ctx) {
    try {
      return ctx.request().getParam("expiry");
    } catch (IllegalArgumentException e) {
      // A query that cannot be percent-decoded ("?expiry=%") is the client's error, not a 500.
      throw new InvalidTokenRequestException("expiry", "is not validly percent-encoded");
    }
  }

  /**
   * Runs {@code parse}, then checks the validated request against the caller's rights; on invalid input
   * answers 400, on a request the caller may not make 403, and returns null.
   */
  private <T extends TokenRequest> T validated(RoutingContext ctx, Supplier<T> parse) {
    T request;
    try {
      request = parse.get();
    } catch (InvalidTokenRequestException e) {
      rejectInput(ctx, e.field(), e.getMessage());
      return null;
    }
    Caller caller = CallerGate.caller(ctx);
    String denial = caller.denial(request);
    if (denial != null) {
      metrics.error("forbidden");
      Responses.error(ctx.response(), 403, denial);
      return null;
    }
    return caller.limited(request);
  }

  private void rejectInput(RoutingContext ctx, String field, String message) {
    metrics.error(field);
    Responses.error(ctx.response(), 400, message);
  }

  private void sign(RoutingContext ctx, Callable<Buffer> mint, String... kinds) {
    pool.<Buffer>submit(() -> {
      long start = System.nanoTime();
      try {
        return mint.call();
      } finally {
        metrics.signingTimer().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      }
    }).onComplete(result -> {
      if (result.succeeded()) {
        for (String kind : kinds) {
          metrics.issued(kind, 1);
        }
        Responses.json(ctx.response(), 200, result.result());
      } else if (result.cause() instanceof SigningPoolSaturatedException) {
        metrics.error("saturated");
        ctx.response().putHeader(Responses.RETRY_AFTER, Responses.ONE_SECOND);
        Responses.error(ctx.response(), 503, "the server is busy, retry shortly");
      } else {
        // The cause never holds the certificate or a token: the builders only see them as arguments.
        LOG.error("minting failed: {}", result.cause().toString());
        metrics.error("internal");
        Responses.error(ctx.response(), 500, "internal error");
      }
    });
  }
}
