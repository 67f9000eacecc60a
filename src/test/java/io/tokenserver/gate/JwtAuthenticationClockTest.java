package io.tokenserver.gate;

import io.tokenserver.auth.Caller;
import io.tokenserver.auth.JwtVerifier;
import io.tokenserver.config.AuthConfig;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.FakeClock;
import io.tokenserver.support.Jwts;
import io.tokenserver.support.TestConfig;
import io.tokenserver.token.RtmTokenRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lifetime a JWT caller may mint is its JWT's {@code exp} minus now, to the second: on a fake clock the
 * answers are exact, for a fresh token (verified) and for a replayed one (found in the cache).
 */
@ExtendWith(VertxExtension.class)
class JwtAuthenticationClockTest {

  private final FakeClock clock = FakeClock.atNow();

  /** A route behind the JWT handler that answers the expiry a caller asking for an hour would get. */
  private Future<HttpServer> serve(Vertx vertx, AuthConfig auth) {
    return JwtVerifier.create(vertx, auth, clock).compose(verifier -> {
      Router router = Router.router(vertx);
      router.get("/lifetime")
          .handler(new JwtAuthentication(verifier, auth, ServerConfig.from(TestConfig.values()).rateLimit()
              .trustedProxies(), RateLimitHandler.AddressCharge.FREE,
              new Unauthorized(RateLimitHandler.AddressCharge.FREE, new LongAdder()), clock))
          .handler(ctx -> {
            Caller caller = ctx.get(Caller.CONTEXT_KEY);
            ctx.response().end(String.valueOf(caller.limited(new RtmTokenRequest("42", 3600)).expirySeconds()));
          });
      return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1");
    });
  }

  private static Future<HttpResponse<String>> lifetime(WebClient client, HttpServer server, String jwt) {
    return client.get(server.actualPort(), "127.0.0.1", "/lifetime").putHeader("Authorization", "Bearer " + jwt)
        .as(BodyCodec.string()).send();
  }

  @Test
  void aCallerMayMintExactlyUntilItsJwtExpires(Vertx vertx, VertxTestContext testContext) {
    AuthConfig auth = ServerConfig.from(TestConfig.values().put("AUTH_MODE", "jwt").put("JWT_SECRET", Jwts.SECRET)
        .put("JWT_ISSUER", "issuer-1").put("JWT_AUDIENCE", "tokens")).auth();
    WebClient client = WebClient.create(vertx);
    try (Jwts jwts = new Jwts()) {
      String jwt = jwts.hs256(Jwts.claims("42").put("exp", clock.epochSecond() + 600));
      serve(vertx, auth).compose(server -> lifetime(client, server, jwt)
          .compose(fresh -> {
            testContext.verify(() -> {
              assertThat(fresh.statusCode()).isEqualTo(200);
              assertThat(fresh.body()).as("verified: exp - now").isEqualTo("600");
            });
            clock.advance(Duration.ofSeconds(100));
            return lifetime(client, server, jwt);
          })
          .onComplete(testContext.succeeding(replayed -> testContext.verify(() -> {
            assertThat(replayed.statusCode()).isEqualTo(200);
            assertThat(replayed.body()).as("from the cache, 100 s later").isEqualTo("500");
            testContext.completeNow();
          }))));
    }
  }

  @Test
  void jwtMaxTokenLifetimeBoundsItExactlyFromNow(Vertx vertx, VertxTestContext testContext) {
    AuthConfig auth = ServerConfig.from(TestConfig.values().put("AUTH_MODE", "jwt").put("JWT_SECRET", Jwts.SECRET)
        .put("JWT_MAX_TOKEN_LIFETIME", 900)).auth();
    WebClient client = WebClient.create(vertx);
    try (Jwts jwts = new Jwts()) {
      String jwt = jwts.hs256(Jwts.claims("42").put("exp", clock.epochSecond() + 3000));
      serve(vertx, auth).compose(server -> lifetime(client, server, jwt))
          .onComplete(testContext.succeeding(response -> testContext.verify(() -> {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("900");
            testContext.completeNow();
          })));
    }
  }
}
