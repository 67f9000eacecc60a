package io.tokenserver.gate;

import io.tokenserver.auth.AccessRules;
import io.tokenserver.auth.Caller;
import io.tokenserver.auth.JwtVerifier;
import io.tokenserver.config.AuthConfig;
import io.tokenserver.net.TrustedProxies;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import io.vertx.ext.web.handler.HttpException;

import java.time.Clock;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code AUTH_MODE=jwt}: the caller is the subject of a verified bearer JWT, may mint what {@link AccessRules}
 * allow for its claims, and is rate-limited by its subject.
 *
 * <p>Cheap rejection first: a JWT already verified is found in a bounded cache (keyed by its SHA-256, kept until
 * its {@code exp} or {@code JWT_CACHE_MAX_AGE_SECONDS}); one not yet verified is only verified after its client
 * address has passed that address's rate limit, so a flood of fresh tokens costs bucket lookups, not RSA
 * verifications.
 */
final class JwtAuthentication implements AuthenticationHandler {

  private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("Retry-After");
  private static final CharSequence ONE_SECOND = HttpHeaders.createOptimized("1");

  private final JwtVerifier jwt;
  private final AccessRules rules;
  private final int maxTokenLifetime;
  private final String projectClaim;
  private final TrustedProxies proxies;
  private final RateLimitHandler.AddressCharge addressCharge;
  private final Unauthorized unauthorized;
  private final Clock clock;

  JwtAuthentication(JwtVerifier jwt, AuthConfig auth, TrustedProxies proxies,
      RateLimitHandler.AddressCharge addressCharge, Unauthorized unauthorized) {
    this(jwt, auth, proxies, addressCharge, unauthorized, Clock.systemUTC());
  }

  /** {@code clock} gives the time a caller's tokens are bounded from (the JWT's {@code exp} minus now). */
  JwtAuthentication(JwtVerifier jwt, AuthConfig auth, TrustedProxies proxies,
      RateLimitHandler.AddressCharge addressCharge, Unauthorized unauthorized, Clock clock) {
    this.jwt = jwt;
    this.clock = clock;
    this.rules = new AccessRules(auth.uidClaim(), auth.channelsClaim(), auth.publisherClaim());
    this.maxTokenLifetime = auth.jwtMaxTokenLifetimeSeconds();
    this.projectClaim = auth.projectClaim();
    this.proxies = proxies;
    this.addressCharge = addressCharge;
    this.unauthorized = unauthorized;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String token = Unauthorized.bearer(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    if (token == null) {
      unauthorized.refuse(ctx, "missing credentials: send Authorization: Bearer <JWT>", false);
      return;
    }
    if (!jwt.ready()) {
      // Readiness is 503 too, so a load balancer sends nothing here; a direct caller may retry.
      ctx.response().putHeader(RETRY_AFTER, ONE_SECOND);
      ctx.fail(new HttpException(503, "caller keys (JWT_JWKS) are not loaded yet, retry shortly"));
      return;
    }
    JsonObject cached;
    try {
      cached = jwt.cached(token);
    } catch (RuntimeException e) {
      cached = null;
    }
    if (cached != null) {
      ctx.put(Caller.CONTEXT_KEY, caller(ctx, cached)).next();
      return;
    }
    // Not verified before: the client address pays for the verification before it is done.
    addressCharge.before(ctx, () -> jwt.verify(token).map(claims -> caller(ctx, claims)).onComplete(verified -> {
      if (verified.succeeded()) {
        ctx.put(Caller.CONTEXT_KEY, verified.result()).next();
      } else {
        String cause = String.valueOf(verified.cause().getMessage());
        unauthorized.answer(ctx, cause.contains("expired") ? "bearer token expired" : "invalid bearer token", true);
      }
    }));
  }

  private Caller caller(RoutingContext ctx, JsonObject claims) {
    Object subject = claims.getValue(rules.uidClaim());
    if (subject == null) {
      subject = claims.getValue("sub");
    }
    String key = subject instanceof String || subject instanceof Number ? subject.toString()
        : "addr:" + proxies.clientKey(ctx.request());
    long exp = claims.getLong("exp");
    return Caller.jwt(key, claims.getMap(), rules, exp, maxTokenLifetime, clock.millis() / 1000,
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
}
