package io.tokenserver.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokenserver.auth.AccessRules;
import io.tokenserver.auth.ApiKeys;
import io.tokenserver.auth.Caller;
import io.tokenserver.config.AuthConfig;
import io.tokenserver.config.RateLimitConfig;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.ratelimit.RateLimiter;
import io.tokenserver.ratelimit.TrustedProxies;
import io.tokenserver.token.TokenRequest;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * In front of every token route (not /ping): authenticates the caller ({@code AUTH_MODE}), then takes one
 * request from its rate-limit bucket. Answers 401 (with {@code WWW-Authenticate}) or 429 itself; otherwise
 * leaves the {@link Caller} in the context, where the handlers check it against the validated request
 * ({@link #denial}) before signing. Credentials are never logged.
 */
public final class CallerGate implements Handler<RoutingContext> {

  private static final String CALLER = "io.tokenserver.caller";
  private static final CharSequence WWW_AUTHENTICATE = HttpHeaders.createOptimized("WWW-Authenticate");
  private static final CharSequence CHALLENGE = HttpHeaders.createOptimized("Bearer realm=\"agora-token-server\"");
  private static final CharSequence CHALLENGE_INVALID =
      HttpHeaders.createOptimized("Bearer realm=\"agora-token-server\", error=\"invalid_token\"");
  private static final CharSequence X_API_KEY = HttpHeaders.createOptimized("X-API-Key");
  private static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("X-Forwarded-For");
  private static final CharSequence LIMIT = HttpHeaders.createOptimized("RateLimit-Limit");
  private static final CharSequence REMAINING = HttpHeaders.createOptimized("RateLimit-Remaining");
  private static final CharSequence RESET = HttpHeaders.createOptimized("RateLimit-Reset");

  private final AuthConfig.Mode mode;
  private final ApiKeys apiKeys;
  private final JwtVerifier jwt;
  private final AccessRules rules;
  private final RateLimiter limiter;
  private final TrustedProxies proxies;
  private final Counter unauthorized;
  private final Counter limited;

  private CallerGate(AuthConfig auth, JwtVerifier jwt, RateLimiter limiter, RateLimitConfig rateLimit,
      MeterRegistry registry) {
    this.mode = auth.mode();
    this.apiKeys = new ApiKeys(auth.apiKeys());
    this.jwt = jwt;
    this.rules = new AccessRules(auth.uidClaim(), auth.channelsClaim(), auth.publisherClaim());
    this.limiter = limiter;
    this.proxies = rateLimit.trustedProxies();
    this.unauthorized = Counter.builder("requests.unauthorized")
        .description("Token requests refused with 401: missing or invalid caller credentials")
        .register(registry);
    this.limited = Counter.builder("requests.rate.limited")
        .description("Token requests refused with 429: the caller is over its rate")
        .register(registry);
  }

  /** The gate for {@code config}, or null when authentication and rate limiting are both off. */
  public static Future<CallerGate> create(Vertx vertx, ServerConfig config, MeterRegistry registry) {
    AuthConfig auth = config.auth();
    if (auth.mode() == AuthConfig.Mode.NONE && !config.rateLimit().enabled()) {
      return Future.succeededFuture(null);
    }
    Future<JwtVerifier> jwt = auth.mode() == AuthConfig.Mode.JWT
        ? JwtVerifier.create(vertx, auth)
        : Future.succeededFuture(null);
    return jwt.compose(verifier -> RateLimiter.create(vertx, config.rateLimit(), registry)
        .map(limiter -> new CallerGate(auth, verifier, limiter, config.rateLimit(), registry)));
  }

  /** Null when the request's caller may mint {@code request} (or no gate ran); else the 403 reason. */
  static String denial(RoutingContext ctx, TokenRequest request) {
    Caller caller = ctx.get(CALLER);
    return caller == null ? null : caller.denial(request);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    switch (mode) {
      case API_KEY -> {
        String key = presentedKey(request);
        int index = apiKeys.indexOf(key);
        if (index < 0) {
          refuse(ctx, key == null ? "missing credentials: send Authorization: Bearer <key> or X-API-Key"
              : "invalid API key", key != null);
        } else {
          admit(ctx, Caller.apiKey(index));
        }
      }
      case JWT -> {
        String token = bearer(request.getHeader(HttpHeaders.AUTHORIZATION));
        if (token == null) {
          refuse(ctx, "missing credentials: send Authorization: Bearer <JWT>", false);
          return;
        }
        jwt.verify(token).onComplete(verified -> {
          if (verified.failed()) {
            String cause = String.valueOf(verified.cause().getMessage());
            refuse(ctx, cause.contains("expired") ? "bearer token expired" : "invalid bearer token", true);
          } else {
            admit(ctx, jwtCaller(ctx, verified.result()));
          }
        });
      }
      default -> admit(ctx, Caller.anonymous(clientKey(request)));
    }
  }

  private Caller jwtCaller(RoutingContext ctx, JsonObject claims) {
    Object subject = claims.getValue(rules.uidClaim());
    if (subject == null) {
      subject = claims.getValue("sub");
    }
    String key = subject instanceof String || subject instanceof Number ? subject.toString()
        : "addr:" + clientKey(ctx.request());
    return Caller.jwt(key, claims.getMap(), rules);
  }

  private void admit(RoutingContext ctx, Caller caller) {
    withinRate(ctx, caller.rateLimitKey(), () -> {
      ctx.put(CALLER, caller);
      ctx.next();
    });
  }

  /** 401, unless the client address is over its rate (failed attempts count against the address). */
  private void refuse(RoutingContext ctx, String message, boolean presented) {
    withinRate(ctx, "addr:" + clientKey(ctx.request()), () -> {
      unauthorized.increment();
      ctx.response().putHeader(WWW_AUTHENTICATE, presented ? CHALLENGE_INVALID : CHALLENGE);
      Responses.error(ctx.response(), 401, message);
    });
  }

  /**
   * Takes one request from {@code key}'s bucket, then runs {@code allowed}, or answers 429 when it is empty.
   * The local limiter answers at once (an already-completed future); a shared one on this event loop later.
   */
  private void withinRate(RoutingContext ctx, String key, Runnable allowed) {
    if (limiter == null) {
      allowed.run();
      return;
    }
    limiter.tryAcquire(key).onSuccess(decision -> {
      if (respond(ctx, decision)) {
        allowed.run();
      }
    });
  }

  /** Sets the {@code RateLimit-*} headers; answers 429 and returns false when {@code decision} refuses. */
  private boolean respond(RoutingContext ctx, RateLimiter.Decision decision) {
    HttpServerResponse response = ctx.response();
    MultiMap headers = response.headers();
    headers.set(LIMIT, Long.toString(decision.limit()))
        .set(REMAINING, Long.toString(decision.remaining()))
        .set(RESET, Long.toString(decision.resetSeconds()));
    if (decision.allowed()) {
      return true;
    }
    limited.increment();
    headers.set(Responses.RETRY_AFTER, Long.toString(decision.retryAfterSeconds()));
    Responses.error(response, 429, "too many requests: retry after " + decision.retryAfterSeconds() + " s");
    return false;
  }

  private String clientKey(HttpServerRequest request) {
    String remote = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    if (proxies.isEmpty()) {
      return proxies.clientKey(remote, null);
    }
    List<String> forwarded = request.headers().getAll(X_FORWARDED_FOR);
    return proxies.clientKey(remote, forwarded.isEmpty() ? null : String.join(",", forwarded));
  }

  private static String presentedKey(HttpServerRequest request) {
    String key = request.getHeader(X_API_KEY);
    return key != null ? key.trim() : bearer(request.getHeader(HttpHeaders.AUTHORIZATION));
  }

  /** The credentials of an {@code Authorization: Bearer ...} header, or null. */
  private static String bearer(String authorization) {
    if (authorization == null || authorization.length() < 8
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String credentials = authorization.substring(7).trim();
    return credentials.isEmpty() ? null : credentials;
  }
}
