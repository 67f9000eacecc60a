package io.tokenserver.gate;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tokenserver.auth.ApiKeys;
import io.tokenserver.auth.Caller;
import io.tokenserver.auth.JwtVerifier;
import io.tokenserver.config.AuthConfig;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.net.TrustedProxies;
import io.tokenserver.ratelimit.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The handlers in front of every token route (not /ping), chosen once at startup from {@code AUTH_MODE}: its
 * authentication handler, which leaves the {@link Caller} in the context ({@link Caller#CONTEXT_KEY}), then, when
 * rate limiting is on, {@link RateLimitHandler}. They refuse by failing the context with an {@link HttpException}
 * whose payload is the message (401, 429, 503); the router's error handlers write the JSON. Credentials are never
 * logged.
 */
public final class CallerGate implements MeterBinder {

  private static final Logger LOG = LoggerFactory.getLogger(CallerGate.class);
  /** Names the project a request wants signed for (the token handlers read it too). */
  public static final CharSequence X_AGORA_PROJECT = HttpHeaders.createOptimized("X-Agora-Project");

  private final List<Handler<RoutingContext>> handlers;
  private final JwtVerifier jwt;
  private final RateLimiter limiter;
  private final LongAdder unauthorized = new LongAdder();
  private final LongAdder limited = new LongAdder();

  /** {@code anonymousBehind}: after the key check, the caller becomes anonymous as {@code AUTH_MODE=none} makes it. */
  private CallerGate(ServerConfig config, ApiKeys.InForce apiKeys, JwtVerifier jwt, RateLimiter limiter,
      AuthConfig anonymousBehind) {
    this.jwt = jwt;
    this.limiter = limiter;
    AuthConfig auth = config.auth();
    TrustedProxies proxies = config.rateLimit().trustedProxies();
    RateLimitHandler rateLimit = limiter == null ? null
        : new RateLimitHandler(limiter, proxies, config.rateLimit().perProject(), config.projects(), limited);
    RateLimitHandler.AddressCharge addressCharge = rateLimit == null ? RateLimitHandler.AddressCharge.FREE
        : rateLimit::chargeAddress;
    Unauthorized refusal = new Unauthorized(addressCharge, unauthorized);
    AuthenticationHandler authentication = switch (auth.mode()) {
      case NONE -> new NoAuthentication(auth.chatAppTokens(), limiter == null ? null : proxies);
      case API_KEY -> new ApiKeyAuthentication(apiKeys, refusal);
      case JWT -> new JwtAuthentication(jwt, auth, proxies, addressCharge, refusal);
    };
    List<Handler<RoutingContext>> chain = new ArrayList<>(List.of(authentication));
    if (anonymousBehind != null) {
      chain.add(new NoAuthentication(anonymousBehind.chatAppTokens(), limiter == null ? null : proxies));
    }
    if (rateLimit != null) {
      chain.add(rateLimit);
    }
    this.handlers = List.copyOf(chain);
  }

  /** The gate for {@code config}: always one, since even without authentication it decides who gets app tokens. */
  public static Future<CallerGate> create(Vertx vertx, ServerConfig config) {
    return create(vertx, config, null);
  }

  /**
   * The warm-up's gate: only {@code warmUpKey} passes, whatever {@code settings} say. With {@code AUTH_MODE=none}
   * the callers then pass the same handler, as the same anonymous callers, as users will, so the JIT has compiled
   * their path by the first user request; the other modes need credentials only users hold.
   */
  public static Future<CallerGate> forWarmUp(Vertx vertx, ServerConfig settings, String warmUpKey) {
    AuthConfig users = settings.auth();
    ServerConfig keyOnly = settings.toBuilder().auth(AuthConfig.apiKey(warmUpKey)).build();
    return create(vertx, keyOnly, users.mode() == AuthConfig.Mode.NONE ? users : null);
  }

  private static Future<CallerGate> create(Vertx vertx, ServerConfig config, AuthConfig anonymousBehind) {
    AuthConfig auth = config.auth();
    Future<ApiKeys.InForce> apiKeys = auth.mode() == AuthConfig.Mode.API_KEY
        ? ApiKeys.InForce.load(vertx, auth, config.projects().projects().keySet(),
            config.credentialFiles().reloadInterval())
        : Future.succeededFuture(null);
    Future<JwtVerifier> jwt = auth.mode() == AuthConfig.Mode.JWT
        ? JwtVerifier.create(vertx, auth)
        : Future.succeededFuture(null);
    return apiKeys.compose(keys -> jwt.compose(verifier -> RateLimiter.create(vertx, config.rateLimit())
        .map(limiter -> new CallerGate(config, keys, verifier, limiter, anonymousBehind))));
  }

  /** Logs {@link #insecureModeWarning} once, when there is one (the server's gate, not the warm-up's). */
  public static void warnIfInsecure(ServerConfig config) {
    String warning = insecureModeWarning(config);
    if (warning != null) {
      LOG.warn(warning);
    }
  }

  /** The one WARN line for {@code AUTH_MODE=none} on an address other than loopback; null when there is none. */
  public static String insecureModeWarning(ServerConfig config) {
    if (config.auth().mode() != AuthConfig.Mode.NONE || AuthConfig.isLoopback(config.host())) {
      return null;
    }
    return "AUTH_MODE=none on HOST=" + config.host() + ": anyone who reaches the API port (PORT=" + config.port()
        + ") can mint tokens; set AUTH_MODE=api-key or jwt unless a proxy in front authenticates callers";
  }

  /** The handlers, in order, that run before every token route: authentication, then the rate limit when on. */
  public List<Handler<RoutingContext>> handlers() {
    return handlers;
  }

  /** The rate limiter behind the gate; null when rate limiting is off. */
  public RateLimiter rateLimiter() {
    return limiter;
  }

  /** False while the JWT key set is not loaded yet: readiness answers 503 until it is. */
  public boolean ready() {
    return jwt == null || jwt.ready();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("token.server.requests.unauthorized", unauthorized, LongAdder::sum)
        .description("Token requests refused with 401: missing or invalid caller credentials")
        .register(registry);
    FunctionCounter.builder("token.server.requests.rate.limited", limited, LongAdder::sum)
        .description("Token requests refused with 429: the caller is over its rate")
        .register(registry);
    if (jwt != null) {
      jwt.bindTo(registry);
    }
    if (limiter != null) {
      limiter.bindTo(registry);
    }
  }
}
