package io.tokenserver.http;

import io.tokenserver.auth.Caller;
import io.tokenserver.credentials.Projects;
import io.tokenserver.gate.CallerGate;
import io.tokenserver.metrics.TokenMetrics;
import io.tokenserver.signing.SigningPool;
import io.tokenserver.token.InvalidTokenRequestException;
import io.tokenserver.token.TokenMinter;
import io.tokenserver.token.TokenRequest;
import io.tokenserver.token.TokenRequestParser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One method per route. Each validates on the event loop, then signs on the {@link SigningPool} (in this
 * event loop's batch); the event loop never runs the HMAC and deflate work.
 */
final class TokenHandlers {

  private static final Logger LOG = LoggerFactory.getLogger(TokenHandlers.class);
  private static final Buffer PONG = Buffer.buffer("{\"message\":\"pong\"}");

  private final TokenRequestParser parser;
  private final Projects projects;
  /** The project of a request that names none, when its caller may use several; null when there is none. */
  private final String defaultProject;
  private final SigningPool.Batcher signing;
  private final TokenMetrics metrics;

  TokenHandlers(TokenRequestParser parser, Projects projects, SigningPool.Batcher signing, TokenMetrics metrics) {
    this.parser = parser;
    this.projects = projects;
    Projects.Project fallback = projects.defaultProject();
    this.defaultProject = fallback == null ? null : fallback.name();
    this.signing = signing;
    this.metrics = metrics;
  }

  /** GET /ping → {"message":"pong"}. */
  void ping(RoutingContext ctx) {
    Responses.json(ctx.response(), 200, PONG);
  }

  /** GET /rtc/:channel/:role/:tokentype/:uid[?expiry=] → {"rtcToken":"007…"}. */
  void rtc(RoutingContext ctx) {
    TokenRequest request = validated(ctx, () -> parser.rtc(ctx.pathParam("channel"), ctx.pathParam("role"),
        ctx.pathParam("tokentype"), ctx.pathParam("uid"), expiry(ctx)));
    if (request != null) {
      sign(ctx, request, null, "rtcToken");
    }
  }

  /** GET /rtm/:uid[?expiry=] → {"rtmToken":"007…"}. */
  void rtm(RoutingContext ctx) {
    TokenRequest request = validated(ctx, () -> parser.rtm(ctx.pathParam("uid"), expiry(ctx)));
    if (request != null) {
      sign(ctx, request, null, "rtmToken");
    }
  }

  /**
   * GET /rte/:channel/:role/:tokentype/:rtcuid[/:rtmuid][?expiry=] → {"rtcToken":"…","rtmToken":"…"};
   * the RTM user id is {@code rtmuid}, or the RTC uid when it is absent.
   */
  void rte(RoutingContext ctx) {
    String rtcUid = ctx.pathParam("rtcuid");
    String rtmUid = ctx.pathParam("rtmuid") == null ? rtcUid : ctx.pathParam("rtmuid");
    TokenRequest rtc = validated(ctx, () -> parser.rtc(ctx.pathParam("channel"), ctx.pathParam("role"),
        ctx.pathParam("tokentype"), rtcUid, expiry(ctx)));
    TokenRequest rtm = rtc == null ? null : validated(ctx, () -> parser.rtm(rtmUid, expiry(ctx)));
    if (rtm != null) {
      sign(ctx, rtc, rtm, null);
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
      sign(ctx, request, null, "chatToken");
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
      sign(ctx, request, null, "token");
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
  private TokenRequest validated(RoutingContext ctx, Supplier<? extends TokenRequest> parse) {
    TokenRequest request;
    try {
      request = parse.get();
    } catch (InvalidTokenRequestException e) {
      rejectInput(ctx, e.field(), e.getMessage());
      return null;
    }
    Caller caller = ctx.get(Caller.CONTEXT_KEY);
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

  /**
   * The project to sign for ({@link Caller#project}): null when answered, 400 when an unknown one is named or none
   * is found, 403 when the caller may not use it.
   */
  private Projects.Project project(RoutingContext ctx) {
    Caller caller = ctx.get(Caller.CONTEXT_KEY);
    String named = ctx.pathParam("project");
    if (named == null) {
      named = ctx.request().getHeader(CallerGate.X_AGORA_PROJECT);
    }
    if (named != null && projects.get(named) == null) {
      rejectInput(ctx, "project", "project must be one of the configured projects");
      return null;
    }
    Projects.Project project = projects.get(caller.project(named, projects.names(), defaultProject));
    if (project == null) {
      rejectInput(ctx, "project", "project is required: send X-Agora-Project or use /projects/:project/...");
      return null;
    }
    if (!caller.mayUse(project.name())) {
      metrics.error("forbidden");
      Responses.error(ctx.response(), 403, "project is not allowed for this caller");
      return null;
    }
    return project;
  }

  /** Hands the request to this event loop's signing batch, or answers 503 at once when the pool is saturated. */
  private void sign(RoutingContext ctx, TokenRequest first, TokenRequest second, String field) {
    Projects.Project project = project(ctx);
    if (project == null) {
      return;
    }
    if (!signing.submit(new Signing(ctx, project, first, second, field))) {
      metrics.error("saturated");
      ctx.response().putHeader(Responses.RETRY_AFTER, Responses.ONE_SECOND);
      Responses.error(ctx.response(), 503, "the server is busy, retry shortly");
    }
  }

  /**
   * One request's signing: mints on a pool thread into its response body, then answers on the event loop.
   * {@code second} is the RTM half of an /rte request (then the body has both tokens); otherwise the body is
   * {@code {"<field>":"<token>"}}.
   */
  private final class Signing implements SigningPool.Job {

    private final RoutingContext ctx;
    private final Projects.Project project;
    private final TokenRequest first;
    private final TokenRequest second;
    private final String field;
    private Buffer body;
    private Throwable failure;

    Signing(RoutingContext ctx, Projects.Project project, TokenRequest first, TokenRequest second, String field) {
      this.ctx = ctx;
      this.project = project;
      this.first = first;
      this.second = second;
      this.field = field;
    }

    @Override
    public void sign() {
      long start = System.nanoTime();
      try {
        TokenMinter minter = project.minter();
        String token = first.mintWith(minter);
        body = second == null ? Responses.tokenBody(field, token)
            : Responses.tokenBody("rtcToken", token, "rtmToken", second.mintWith(minter));
      } catch (Throwable e) { // an Error too: the request gets its 500 instead of waiting forever
        failure = e;
      } finally {
        metrics.signingTimer().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public void complete() {
      if (failure == null) {
        metrics.issued(first.kind(), project.name());
        if (second != null) {
          metrics.issued(second.kind(), project.name());
        }
        Responses.json(ctx.response(), 200, body);
      } else {
        // The cause never holds the certificate or a token: the minter only sees them as arguments.
        LOG.error("minting failed: {}", failure.toString());
        metrics.error("internal");
        Responses.error(ctx.response(), 500, "internal error");
      }
    }
  }
}
