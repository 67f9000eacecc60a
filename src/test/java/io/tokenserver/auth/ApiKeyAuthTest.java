package io.tokenserver.auth;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.tokenserver.support.VerifiedToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** AUTH_MODE=api-key: a backend presents one of the configured keys. */
class ApiKeyAuthTest {

  static final String INLINE_KEY = "inline-key-0123456789abcdef";
  static final String FILE_KEY = "file-key-0123456789abcdef";

  @TempDir
  static Path dir;
  private static RunningServer server;

  @BeforeAll
  static void start() throws Exception {
    Path keys = Files.writeString(dir.resolve("api-keys"), "# rotated monthly\n\n" + FILE_KEY + "\n");
    server = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("AUTH_MODE", "api-key").put("API_KEYS", INLINE_KEY).put("API_KEYS_FILE", keys.toString())));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<Buffer> get(String path, String header, String value) {
    HttpRequest<Buffer> request = server.client().get(path);
    if (header != null) {
      request.putHeader(header, value);
    }
    return server.send(request, null);
  }

  private static void assertUnauthorized(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.getHeader("WWW-Authenticate")).startsWith("Bearer realm=");
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(response.bodyAsJsonObject().getString("error")).isNotBlank();
  }

  @Test
  void aBearerKeyMintsATokenAsBefore() {
    HttpResponse<Buffer> response = get("/rtm/alice", "Authorization", "Bearer " + INLINE_KEY);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(VerifiedToken.verify(response.bodyAsJsonObject().getString("rtmToken")).rtm().userId)
        .isEqualTo("alice");
  }

  @Test
  void theXApiKeyHeaderWorksToo() {
    assertThat(get("/rtc/stage/publisher/uid/1", "X-API-Key", INLINE_KEY).statusCode()).isEqualTo(200);
  }

  @Test
  void keysFromTheKeysFileWorkAndCommentsAreNotKeys() {
    assertThat(get("/rtm/alice", "X-API-Key", FILE_KEY).statusCode()).isEqualTo(200);
    assertUnauthorized(get("/rtm/alice", "X-API-Key", "# rotated monthly"));
  }

  @Test
  void anApiKeyMayMintForAnyUidSinceItIsATrustedBackend() {
    assertThat(get("/rtc/stage/publisher/uid/99", "X-API-Key", INLINE_KEY).statusCode()).isEqualTo(200);
    assertThat(get("/chat/app", "X-API-Key", INLINE_KEY).statusCode()).isEqualTo(200);
  }

  @Test
  void noKeyGets401WithAChallenge() {
    HttpResponse<Buffer> response = get("/rtm/alice", null, null);
    assertUnauthorized(response);
    assertThat(response.getHeader("WWW-Authenticate")).doesNotContain("invalid_token");
  }

  @Test
  void aWrongKeyGets401SayingTheTokenIsInvalid() {
    HttpResponse<Buffer> response = get("/rtm/alice", "Authorization", "Bearer " + INLINE_KEY + "x");
    assertUnauthorized(response);
    assertThat(response.getHeader("WWW-Authenticate")).contains("error=\"invalid_token\"");
    assertUnauthorized(get("/rtm/alice", "Authorization", "Basic " + INLINE_KEY));
    assertUnauthorized(get("/rtm/alice", "X-API-Key", ""));
  }

  @Test
  void postGetTokenNeedsAKeyToo() {
    String body = "{\"tokenType\":\"rtm\",\"uid\":\"alice\"}";
    assertUnauthorized(server.send(server.client().post("/getToken"), Buffer.buffer(body)));
    assertThat(server.send(server.client().post("/getToken").putHeader("X-API-Key", INLINE_KEY),
        Buffer.buffer(body)).statusCode()).isEqualTo(200);
  }

  @Test
  void pingStaysOpen() {
    assertThat(get("/ping", null, null).statusCode()).isEqualTo(200);
  }

  @Test
  void theManagementPortNeedsNoCredentials() {
    assertThat(server.management("/health/ready").statusCode()).isEqualTo(200);
    assertThat(server.management("/metrics").statusCode()).isEqualTo(200);
  }

  @Test
  void unknownRoutesAreNotRevealedToCallersWithoutAKey() {
    assertUnauthorized(get("/admin", null, null));
    assertThat(get("/admin", "X-API-Key", INLINE_KEY).statusCode()).isEqualTo(404);
  }

  @Test
  void corsPreflightsNeedNoKey() {
    HttpResponse<Buffer> response = server.send(server.client().request(io.vertx.core.http.HttpMethod.OPTIONS, "/rtm/a")
        .putHeader("Origin", "https://app.example").putHeader("Access-Control-Request-Method", "GET")
        .putHeader("Access-Control-Request-Headers", "X-API-Key"), null);
    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.getHeader("Access-Control-Allow-Headers")).containsIgnoringCase("X-API-Key");
  }
}
