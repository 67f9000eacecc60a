package io.tokenserver.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tokenserver.auth.AccessRules;
import io.tokenserver.auth.ApiKeys;
import io.tokenserver.auth.Caller;
import io.tokenserver.auth.JwtVerifier;
import io.tokenserver.config.AuthConfig;
import io.tokenserver.config.ProjectsConfig;
import io.tokenserver.config.RateLimitConfig;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.ratelimit.RateLimiter;
import io.tokenserver.net.TrustedProxies;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * In front of every token route (not /ping): authenticates the caller ({@code AUTH_MODE}), then takes one
 * request from its rate-limit bucket. Answers 401 (with {@code WWW-Authenticate}) or 429 itself; otherwise
 * leaves the {@link Caller} in the context ({@link #caller}), where the handlers check it against the
 * validated request before signing. Credentials are never logged.
 *
 * <p>Cheap rejection first: a JWT already verified is found in a bounded cache (keyed by its SHA-256, kept
 * until its {@code exp} or {@code JWT_CACHE_MAX_AGE_SECONDS}); one not yet verified is only verified after its client address has passed that
 * address's rate limit, so a flood of fresh tokens costs bucket lookups, not RSA verifications.
 */
public final class CallerGate implements Handler<RoutingContext>, MeterBinder {

  private static final Logger LOG = LoggerFactory.getLogger(CallerGate.class);
  private static final String CALLER = "io.tokenserver.caller";
  private static final CharSequence WWW_AUTHENTICATE = HttpHeaders.createOptimized("WWW-Authenticate");
  private static final CharSequence CHALLENGE = HttpHeaders.createOptimized("Bearer realm=\"agora-token-server\"");
  private static final CharSequence CHALLENGE_INVALID =
      HttpHeaders.createOptimized("Bearer realm=\"agora-token-server\", error=\"invalid_token\"");
  private static final CharSequence X_API_KEY = HttpHeaders.createOptimized("X-API-Key");
  private static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("X-Forwarded-For");
  /** Names the project a request wants signed for (the handlers read it too). */
  static final CharSequence X_AGORA_PROJECT = HttpHeaders.createOptimized("X-Agora-Project");
  private static final String PROJECTS_PREFIX = "/projects/";
  private static final CharSequence LIMIT = HttpHeaders.createOptimized("RateLimit-Limit");
  private static final CharSequence REMAINING = HttpHeaders.createOptimized("RateLimit-Remaining");
  private static final CharSequence RESET = HttpHeaders.createOptimized("RateLimit-Reset");

  private final AuthConfig.Mode mode;
  private final ApiKeys.InForce apiKeys;
  private final JwtVerifier jwt;
  private final AccessRules rules;
  private final RateLimiter limiter;
  private final TrustedProxies proxies;
  private final LongAdder unauthorized = new LongAdder();
  private final LongAdder limited = new LongAdder();
  private final boolean chatAppTokensForAll;
  private final int jwtMaxTokenLifetime;
  private final String projectClaim;
  private final boolean perProject;
  private final ProjectsConfig projects;
  /** The caller of every request when nothing is checked: no per-request work. */
  private final Caller unlimitedAnonymous;

  private CallerGate(AuthConfig auth, ApiKeys.InForce apiKeys, JwtVerifier jwt, RateLimiter limiter,
      RateLimitConfig rateLimit, ProjectsConfig projects) {
    this.mode = auth.mode();
    this.apiKeys = apiKeys;
    this.jwt = jwt;
    this.rules = new AccessRules(auth.uidClaim(), auth.channelsClaim(), auth.publisherClaim());
    this.chatAppTokensForAll = auth.chatAppTokens();
    this.jwtMaxTokenLifetime = auth.jwtMaxTokenLifetimeSeconds();
    this.projectClaim = auth.projectClaim();
    this.perProject = rateLimit.perProject();
    this.projects = projects;
    this.limiter = limiter;
    this.proxies = rateLimit.trustedProxies();
    this.unlimitedAnonymous = Caller.anonymous("any", chatAppTokensForAll);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("requests.unauthorized", unauthorized, LongAdder::sum)
        .description("Token requests refused with 401: missing or invalid caller credentials")
        .register(registry);
    FunctionCounter.builder("requests.rate.limited", limited, LongAdder::sum)
        .description("Token requests refused with 429: the caller is over its rate")
        .register(registry);
    if (jwt != null) {
      jwt.bindTo(registry);
    }
  }

  /** The gate for {@code config}: always one, since even without authentication it decides who gets app tokens. */
  public static Future<CallerGate> create(Vertx vertx, ServerConfig config, MeterRegistry registry) {
    AuthConfig auth = config.auth();
    String warning = insecureModeWarning(config);
    if (warning != null) {
      LOG.warn(warning);
    }
    Future<ApiKeys.InForce> apiKeys = auth.mode() == AuthConfig.Mode.API_KEY
        ? ApiKeys.InForce.load(vertx, auth, config.projects().projects().keySet(),
            config.credentialFiles().reloadInterval())
        : Future.succeededFuture(null);
    Future<JwtVerifier> jwt = auth.mode() == AuthConfig.Mode.JWT
        ? JwtVerifier.create(vertx, auth)
        : Future.succeededFuture(null);
    return apiKeys.compose(keys -> jwt.compose(verifier -> RateLimiter.create(vertx, config.rateLimit(), registry)
        .map(limiter -> new CallerGate(auth, keys, verifier, limiter, config.rateLimit(), config.projects()))));
  }

  /** The one WARN line for {@code AUTH_MODE=none} on an address other than loopback; null when there is none. */
  public static String insecureModeWarning(ServerConfig config) {
    if (config.auth().mode() != AuthConfig.Mode.NONE || AuthConfig.isLoopback(config.host())) {
      return null;
    }
    return "AUTH_MODE=none on HOST=" + config.host() + ": anyone who reaches port " + config.port()
        + " can mint tokens; set AUTH_MODE=api-key or jwt unless a proxy in front authenticates callers";
  }

  /** False while the JWT key set is not loaded yet: readiness answers 503 until it is. */
  public boolean ready() {
    return jwt == null || jwt.ready();
  }

  /** The caller this gate admitted for the request of {@code ctx}. */
  public static Caller caller(RoutingContext ctx) {
    return ctx.get(CALLER);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    switch (mode) {
      case API_KEY -> {
        String key = presentedKey(request);
        ApiKeys.Match match = apiKeys.get().match(key);
        if (match == null) {
          refuse(ctx, key == null ? "missing credentials: send Authorization: Bearer <key> or X-API-Key"
              : "invalid API key", key != null, false);
        } else {
          admit(ctx, Caller.apiKey(match.callerId(), match.projects()));
        }
      }
      case JWT -> {
        String token = bearer(request.getHeader(HttpHeaders.AUTHORIZATION));
        if (token == null) {
          refuse(ctx, "missing credentials: send Authorization: Bearer <JWT>", false, false);
          return;
        }
        if (!jwt.ready()) {
          // Readiness is 503 too, so a load balancer sends nothing here; a direct caller may retry.
          ctx.response().putHeader(Responses.RETRY_AFTER, Responses.ONE_SECOND);
          Responses.error(ctx.response(), 503, "caller keys (JWT_JWKS) are not loaded yet, retry shortly");
          return;
        }
        JsonObject cached;
        try {
          cached = jwt.cached(token);
        } catch (RuntimeException e) {
          cached = null;
        }
        if (cached != null) {
          admit(ctx, jwtCaller(ctx, cached));
          return;
        }
        // Not verified before: the client address pays for the verification before it is done.
        withinRate(ctx, "addr:" + clientKey(request), () -> jwt.verify(token).map(claims -> jwtCaller(ctx, claims))
            .onComplete(verified -> {
          if (verified.failed()) {
            String cause = String.valueOf(verified.cause().getMessage());
            refuse(ctx, cause.contains("expired") ? "bearer token expired" : "invalid bearer token", true, true);
          } else {
            admit(ctx, verified.result());
          }
        }));
      }
      default -> admit(ctx, limiter == null ? unlimitedAnonymous
          : Caller.anonymous(clientKey(request), chatAppTokensForAll));
    }
  }

  private Caller jwtCaller(RoutingContext ctx, JsonObject claims) {
    Object subject = claims.getValue(rules.uidClaim());
    if (subject == null) {
      subject = claims.getValue("sub");
    }
    String key = subject instanceof String || subject instanceof Number ? subject.toString()
        : "addr:" + clientKey(ctx.request());
    long exp = claims.getLong("exp");
    return Caller.jwt(key, claims.getMap(), rules, exp, jwtMaxTokenLifetime, System.currentTimeMillis() / 1000,
        projectClaim == null ? null : projects(claims.getValue(projectClaim)));
  }

  /** The project names a JWT claim grants: one string or a list of strings; anything else grants none. */
  private static Set<String> projects(Object claim) {
    if (claim instanceof String name) {
      return Set.of(name);
    }
    Set<String> names = new HashSet<>();
    if (claim instanceof JsonArray list) {
      for (Object name : list) {
        if (name instanceof String text) {
          names.add(text);
        }
      }
    }
    return names;
  }

  private void admit(RoutingContext ctx, Caller caller) {
    if (limiter == null) { // the common path: a branch, not a lambda per request
      pass(ctx, caller);
    } else {
      withinRate(ctx, rateLimitKey(ctx.request(), caller), () -> pass(ctx, caller));
    }
  }

  /**
   * The caller's bucket; with {@code RATE_LIMIT_PER_PROJECT}, one per project: the configured project the path
   * prefix or header names, else the caller's only one, else the default (never a name the client made up).
   */
  private String rateLimitKey(HttpServerRequest request, Caller caller) {
    if (!perProject) {
      return caller.rateLimitKey();
    }
    String path = request.path();
    String named;
    if (path != null && path.startsWith(PROJECTS_PREFIX)) {
      int end = path.indexOf('/', PROJECTS_PREFIX.length());
      named = path.substring(PROJECTS_PREFIX.length(), end < 0 ? path.length() : end);
    } else {
      named = request.getHeader(X_AGORA_PROJECT);
    }
    String project = named != null && projects.projects().containsKey(named) ? named
        : caller.onlyProject() != null ? caller.onlyProject() : projects.defaultProject();
    return project == null ? caller.rateLimitKey() : caller.rateLimitKey() + "@" + project;
  }

  private static void pass(RoutingContext ctx, Caller caller) {
    ctx.put(CALLER, caller);
    ctx.next();
  }

  /**
   * 401, unless the client address is over its rate (failed attempts count against the address, once:
   * {@code charged} when the address already paid for this request).
   */
  private void refuse(RoutingContext ctx, String message, boolean presented, boolean charged) {
    Runnable answer = () -> {
      unauthorized.increment();
      ctx.response().putHeader(WWW_AUTHENTICATE, presented ? CHALLENGE_INVALID : CHALLENGE);
      Responses.error(ctx.response(), 401, message);
    };
    if (charged) {
      answer.run();
    } else {
      withinRate(ctx, "addr:" + clientKey(ctx.request()), answer);
    }
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
