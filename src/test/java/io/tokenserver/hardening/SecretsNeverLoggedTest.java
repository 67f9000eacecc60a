package io.tokenserver.hardening;

import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.Jwts;
import io.tokenserver.support.RawHttp;
import io.tokenserver.support.ServerProcess;
import io.tokenserver.support.VerifiedToken;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Main in its own JVM with access logging on: whatever callers send and whatever is rotated, the output
 * never holds a certificate, an API key, a JWT or a token. Also proves Main wires certificate rotation.
 */
class SecretsNeverLoggedTest {

  private static final String API_KEY = "api-key-5b7d0c1e9a2f4e68";
  private static final String WRONG_KEY = "wrong-key-0f1e2d3c4b5a6978";
  private static final String CERT_B = "00112233445566778899aabbccddeeff";
  private static final String BAD_CERT = "this-is-not-hex-but-still-secret";

  @TempDir
  Path dir;

  private static RawHttp.Response get(int port, String path, String header) throws Exception {
    try (RawHttp http = RawHttp.connect(port, 10_000)) {
      return http.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n" + (header == null ? "" : header + "\r\n") + "\r\n")
          .read();
    }
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("HOST", "127.0.0.1");
    env.put("PORT", "0");
    env.put("MANAGEMENT_PORT", "0");
    env.put("ACCESS_LOG", "true");
    env.put("EVENT_LOOPS", "1");
    return env;
  }

  @Test
  void apiKeysCertificatesAndTokensStayOutOfTheLogsWhileCertificatesRotate() throws Exception {
    Path appId = Files.writeString(dir.resolve("app-id"), FakeCredentials.APP_ID);
    Path cert = Files.writeString(dir.resolve("app-certificate"), FakeCredentials.APP_CERTIFICATE);
    Map<String, String> env = env();
    env.put("APP_ID_FILE", appId.toString());
    env.put("APP_CERTIFICATE_FILE", cert.toString());
    env.put("CREDENTIALS_RELOAD_INTERVAL_MS", "100");
    env.put("AUTH_MODE", "api-key");
    env.put("API_KEYS", API_KEY);
    List<String> tokens = new ArrayList<>();
    try (ServerProcess server = ServerProcess.start(env, Map.of())) {
      int port = server.awaitReady(30_000).port();
      RawHttp.Response first = get(port, "/rtm/alice", "X-API-Key: " + API_KEY);
      assertThat(first.status()).isEqualTo(200);
      tokens.add(new JsonObject(first.text()).getString("rtmToken"));
      assertThat(get(port, "/rtm/alice", "Authorization: Bearer " + WRONG_KEY).status()).isEqualTo(401);
      // A key in the query string (not a way to authenticate, but clients try) and a made-up method.
      assertThat(get(port, "/rtm/alice?api_key=" + API_KEY, null).status()).isEqualTo(401);
      try (RawHttp http = RawHttp.connect(port, 10_000)) {
        assertThat(http.send("M00001X /ping?x=made-up-query HTTP/1.1\r\nHost: x\r\n\r\n").read().status())
            .isEqualTo(401);
      }

      Files.move(Files.writeString(dir.resolve("next"), CERT_B), cert, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      server.awaitLine("app credentials reloaded", 10_000);
      RawHttp.Response rotated = get(port, "/rtm/alice", "X-API-Key: " + API_KEY);
      String rotatedToken = new JsonObject(rotated.text()).getString("rtmToken");
      VerifiedToken.verify(rotatedToken, CERT_B);
      tokens.add(rotatedToken);

      Files.move(Files.writeString(dir.resolve("bad"), BAD_CERT), cert, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      server.awaitLine("rejected new app credentials", 10_000);
      String stillB = new JsonObject(get(port, "/rtm/alice", "X-API-Key: " + API_KEY).text()).getString("rtmToken");
      VerifiedToken.verify(stillB, CERT_B);
      tokens.add(stillB);

      server.terminate();
      assertThat(server.awaitExit(30_000)).isZero();
      String output = server.output();
      assertThat(output).contains("GET /rtm/alice"); // the access log is on
      assertThat(output).contains("OTHER /ping 401").doesNotContain("M00001X").doesNotContain("made-up-query");
      for (String secret : List.of(FakeCredentials.APP_CERTIFICATE, CERT_B, BAD_CERT, API_KEY, WRONG_KEY)) {
        assertThat(output).doesNotContain(secret);
      }
      for (String token : tokens) {
        assertThat(output).doesNotContain(token).doesNotContain(token.substring(0, 40));
      }
    }
  }

  @Test
  void jwtsAndTheirSecretStayOutOfTheLogs() throws Exception {
    Map<String, String> env = env();
    env.put("APP_ID", FakeCredentials.APP_ID);
    env.put("APP_CERTIFICATE", FakeCredentials.APP_CERTIFICATE);
    env.put("AUTH_MODE", "jwt");
    env.put("JWT_SECRET", Jwts.SECRET);
    try (Jwts jwts = new Jwts(); ServerProcess server = ServerProcess.start(env, Map.of())) {
      int port = server.awaitReady(30_000).port();
      String good = jwts.hs256(Jwts.claims("alice"));
      String expired = jwts.hs256(Jwts.claims("alice").put("exp", 1));
      RawHttp.Response ok = get(port, "/rtm/alice", "Authorization: Bearer " + good);
      assertThat(ok.status()).isEqualTo(200);
      assertThat(get(port, "/rtm/alice", "Authorization: Bearer " + expired).status()).isEqualTo(401);
      assertThat(get(port, "/rtm/bob", "Authorization: Bearer " + good).status()).isEqualTo(403);
      server.terminate();
      assertThat(server.awaitExit(30_000)).isZero();
      String output = server.output();
      assertThat(output).contains("GET /rtm/alice");
      for (String secret : List.of(Jwts.SECRET, good, expired, good.split("\\.")[1], good.split("\\.")[2],
          new JsonObject(ok.text()).getString("rtmToken"), FakeCredentials.APP_CERTIFICATE)) {
        assertThat(output).doesNotContain(secret);
      }
    }
  }
}
