package io.tokenserver.gate;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a refused caller sees, exactly: the 401, 429 and 503 of the handlers in front of the token routes, with
 * their JSON bodies, headers and counters.
 */
class GateAnswersTest {

  private static final String KEY = "gate-answers-key-0123456789abcdef";

  private static HttpResponse<Buffer> get(RunningServer server, String header, String value) {
    HttpRequest<Buffer> request = server.client().get("/rtm/alice");
    if (header != null) {
      request.putHeader(header, value);
    }
    return server.send(request, null);
  }

  private static void assertAnswer(HttpResponse<Buffer> response, int status, String error) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(response.getHeader("Cache-Control")).isEqualTo("private, no-cache, no-store, must-revalidate");
    assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", error));
  }

  /** The value of an unlabelled counter in the management port's scrape. */
  private static double counter(RunningServer server, String name) {
    return server.management("/metrics").bodyAsString().lines()
        .filter(line -> line.startsWith(name + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(name.length() + 1)))
        .findFirst().orElseThrow();
  }

  @Test
  void missingOrInvalidApiKeysAre401WithTheBearerChallenge() {
    try (RunningServer server = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("AUTH_MODE", "api-key").put("API_KEYS", KEY)))) {
      HttpResponse<Buffer> missing = get(server, null, null);
      assertAnswer(missing, 401, "missing credentials: send Authorization: Bearer <key> or X-API-Key");
      assertThat(missing.getHeader("WWW-Authenticate")).isEqualTo("Bearer realm=\"agora-token-server\"");

      HttpResponse<Buffer> invalid = get(server, "X-API-Key", KEY + "x");
      assertAnswer(invalid, 401, "invalid API key");
      assertThat(invalid.getHeader("WWW-Authenticate"))
          .isEqualTo("Bearer realm=\"agora-token-server\", error=\"invalid_token\"");
      assertThat(invalid.getHeader("RateLimit-Limit")).as("no rate limit configured").isNull();

      assertThat(counter(server, "token_server_requests_unauthorized_total")).isEqualTo(2.0);
      assertThat(get(server, "X-API-Key", KEY).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void overItsRateACallerGets429AndFailedAttemptsArePaidByTheAddress() {
    try (RunningServer server = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("AUTH_MODE", "api-key").put("API_KEYS", KEY)
        .put("RATE_LIMIT_PER_SECOND", 1).put("RATE_LIMIT_BURST", 2)))) {
      HttpResponse<Buffer> response;
      int sent = 0;
      while ((response = get(server, "X-API-Key", KEY)).statusCode() == 200) {
        assertThat(response.getHeader("RateLimit-Limit")).isEqualTo("2");
        assertThat(++sent).as("a burst of 2 at 1 per second runs out").isLessThan(20);
      }
      assertAnswer(response, 429, "too many requests: retry after 1 s");
      assertThat(response.getHeader("Retry-After")).isEqualTo("1");
      assertThat(response.getHeader("RateLimit-Limit")).isEqualTo("2");
      assertThat(response.getHeader("RateLimit-Remaining")).isEqualTo("0");
      assertThat(response.getHeader("RateLimit-Reset")).isNotNull();
      assertThat(response.getHeader("WWW-Authenticate")).isNull();

      // The key's bucket is not the address's: a wrong key is refused with 401 until the address is over its rate.
      sent = 0;
      while ((response = get(server, "X-API-Key", "wrong")).statusCode() == 401) {
        assertThat(response.getHeader("RateLimit-Limit")).isEqualTo("2");
        assertThat(++sent).as("wrong keys are charged to the address").isLessThan(20);
      }
      assertAnswer(response, 429, "too many requests: retry after 1 s");
      assertThat(counter(server, "token_server_requests_rate_limited_total")).isEqualTo(2.0);
    }
  }

  @Test
  void aJwtBeforeTheCallerKeysAreLoadedIs503WithRetryAfter() {
    // Nothing listens on this port: the key set is retried in the background and never loaded.
    try (RunningServer server = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("AUTH_MODE", "jwt").put("JWT_JWKS", "http://127.0.0.1:" + TestConfig.freePort() + "/jwks.json")
        .put("JWT_AUDIENCE", "token-server").put("JWT_ISSUER", "https://issuer.example")))) {
      HttpResponse<Buffer> response = get(server, "Authorization", "Bearer a.b.c");
      assertAnswer(response, 503, "caller keys (JWT_JWKS) are not loaded yet, retry shortly");
      assertThat(response.getHeader("Retry-After")).isEqualTo("1");

      assertAnswer(get(server, null, null), 401, "missing credentials: send Authorization: Bearer <JWT>");
    }
  }
}
