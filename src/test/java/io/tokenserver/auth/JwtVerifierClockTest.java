package io.tokenserver.auth;

import io.tokenserver.config.AuthConfig;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.FakeClock;
import io.tokenserver.support.Jwts;
import io.tokenserver.support.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A verified token is served from the cache up to the second before its {@code exp}, on the verifier's clock. */
@ExtendWith(VertxExtension.class)
class JwtVerifierClockTest {

  @Test
  void aCachedTokenIsGoneExactlyAtItsExp(Vertx vertx, VertxTestContext testContext) {
    FakeClock clock = FakeClock.atNow();
    AuthConfig auth = ServerConfig.from(TestConfig.values().put("AUTH_MODE", "jwt").put("JWT_SECRET", Jwts.SECRET)
        .put("JWT_ISSUER", "issuer-1").put("JWT_AUDIENCE", "tokens")).auth();
    String token;
    try (Jwts jwts = new Jwts()) {
      token = jwts.hs256(Jwts.claims("42").put("exp", clock.epochSecond() + 120));
    }
    JwtVerifier.create(vertx, auth, clock)
        .compose(verifier -> verifier.verify(token).map(claims -> verifier))
        .onComplete(testContext.succeeding(verifier -> testContext.verify(() -> {
          assertThat(verifier.cached(token)).as("just verified").isNotNull();
          clock.advance(Duration.ofSeconds(119));
          assertThat(verifier.cached(token)).as("a second before exp").isNotNull();
          clock.advance(Duration.ofSeconds(1));
          assertThat(verifier.cached(token)).as("at exp").isNull();
          testContext.completeNow();
        })));
  }
}
