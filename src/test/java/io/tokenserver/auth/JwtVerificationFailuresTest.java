package io.tokenserver.auth;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.Jwts;
import io.tokenserver.support.RedisServer;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a signed JWT holds, a failure while verifying it is a 401: never a 500, never a request left
 * unanswered, with the local rate limiter and with the shared one (whose answer arrives later, on the event loop).
 */
class JwtVerificationFailuresTest {

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void malformedClaimsAndHeadersAre401(String backend) {
    try (Jwts jwts = new Jwts(); RedisServer redis = backend.equals("redis") ? RedisServer.start() : null) {
      JsonObject settings = TestConfig.values().put("AUTH_MODE", "jwt").put("JWT_SECRET", Jwts.SECRET)
          .put("RATE_LIMIT_PER_SECOND", 1000).put("RATE_LIMIT_BACKEND", backend);
      if (redis != null) {
        settings.put("REDIS_URL", redis.url());
      }
      try (RunningServer server = RunningServer.start(ServerConfig.from(settings))) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String good = jwts.hs256(Jwts.claims("alice"));
        List<String> refused = List.of(
            jwts.hs256(Jwts.claims("alice").put("exp", String.valueOf(System.currentTimeMillis() / 1000 + 3600))),
            jwts.hs256(Jwts.claims("alice").put("exp", new JsonObject().put("at", 1))),
            jwts.hs256(Jwts.claims("alice").put("exp", new JsonArray().add(1))),
            jwts.hs256(Jwts.claims("alice").put("nbf", "soon")),
            jwts.hs256(Jwts.claims("alice").put("iat", true)),
            b64.encodeToString("not json".getBytes(StandardCharsets.UTF_8)) + "." + good.split("\\.")[1] + "."
                + good.split("\\.")[2],
            "a.b.c", "...", good + ".extra");
        for (String jwt : refused) {
          HttpResponse<Buffer> response = server.send(server.client().get("/rtm/alice")
              .putHeader("Authorization", "Bearer " + jwt).timeout(5_000), null);
          assertThat(response.statusCode()).as("%s: %s", jwt, response.bodyAsString()).isEqualTo(401);
          assertThat(response.bodyAsJsonObject().getString("error")).isNotBlank();
        }
        assertThat(server.send(server.client().get("/rtm/alice").putHeader("Authorization", "Bearer " + good), null)
            .statusCode()).isEqualTo(200);
      }
    }
  }
}
