package io.tokenserver.config;

import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.ServerProcess;
import io.tokenserver.support.TestConfig;
import io.tokenserver.support.VerifiedToken;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What only a real process shows: the environment layer, exit codes, the startup line, demo mode. */
class StartupProcessTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static JsonObject get(int port, String path) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  @Test
  void missingAppIdStopsStartupWithOneLineNamingTheKey() throws Exception {
    try (ServerProcess process = ServerProcess.start(Map.of("APP_CERTIFICATE", FakeCredentials.APP_CERTIFICATE), Map.of())) {
      assertThat(process.awaitExit(60_000)).isNotZero();
      assertThat(process.output().strip()).isEqualTo("config error: APP_ID is missing");
    }
  }

  @Test
  void malformedCertificateStopsStartupWithoutEchoingIt() throws Exception {
    Map<String, String> env = Map.of("APP_ID", FakeCredentials.APP_ID, "APP_CERTIFICATE", "secret-but-not-hex-0123456789abc");
    try (ServerProcess process = ServerProcess.start(env, Map.of())) {
      assertThat(process.awaitExit(60_000)).isNotZero();
      assertThat(process.output().strip()).isEqualTo("config error: APP_CERTIFICATE must be 32 hexadecimal characters");
    }
  }

  @Test
  void environmentBeatsConfigFileAndSystemPropertiesBeatEnvironment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("layer.json");
    int filePort = TestConfig.freePort(); // never bound when the environment wins
    Files.writeString(file, new JsonObject().put("HOST", "127.0.0.1").put("PORT", filePort)
        .put("MANAGEMENT_PORT", 0).put("TOKEN_DEFAULT_EXPIRY", 100).put("TOKEN_MAX_EXPIRY", 5000).encode());
    Map<String, String> env = Map.of("APP_ID", FakeCredentials.APP_ID, "APP_CERTIFICATE", FakeCredentials.APP_CERTIFICATE,
        "CONFIG_FILE", file.toString(), "PORT", "0", "TOKEN_DEFAULT_EXPIRY", "200");
    try (ServerProcess process = ServerProcess.start(env, Map.of("TOKEN_DEFAULT_EXPIRY", "300"))) {
      int port = process.awaitReady(60_000).port();
      assertThat(port).as("env PORT=0 beats the file's port").isPositive().isNotEqualTo(filePort);
      assertThat(process.awaitLine("ready in", 1_000)).contains("appId=" + FakeCredentials.APP_ID);
      assertThat(process.output()).doesNotContain(FakeCredentials.APP_CERTIFICATE);

      String token = get(port, "/rtm/layers").getString("rtmToken");
      assertThat(VerifiedToken.verify(token).token.expire).as("sysprop 300 beats env 200 beats file 100").isEqualTo(300);
      assertThat(process.output()).doesNotContain(token);

      process.terminate();
      assertThat(process.awaitExit(60_000)).as("SIGTERM drains and exits 0").isZero();
      assertThat(process.output()).contains("drained, exiting");
    }
  }

  /**
   * The longest warm-ups (up to 60 s) start too: the start waits for the configured warm-up, not a fixed time.
   * 31 s is the cheapest value above the old fixed 30 s wait; the process runs niced, taking only spare CPU.
   */
  @Test
  void aWarmUpLongerThanHalfAMinuteStillStarts() throws Exception {
    Map<String, String> env = Map.of("APP_ID", FakeCredentials.APP_ID, "APP_CERTIFICATE", FakeCredentials.APP_CERTIFICATE,
        "HOST", "127.0.0.1", "PORT", "0", "MANAGEMENT_PORT", "0",
        "EVENT_LOOPS", "1", "SIGNING_POOL_SIZE", "1", "WARMUP_SECONDS", "31");
    try (ServerProcess process = ServerProcess.startNiced(env, Map.of())) {
      ServerProcess.Ports ports = process.awaitReady(120_000);
      int port = ports.port();
      int managementPort = ports.managementPort();
      String ready = process.awaitLine("ready in", 1_000);
      long readyInMillis = Long.parseLong(ready.replaceAll(".*ready in (\\d+) ms.*", "$1"));
      assertThat(readyInMillis).as(ready).isGreaterThanOrEqualTo(31_000);
      assertThat(process.output()).contains("warm-up: ");

      HttpResponse<String> readiness = HTTP.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + managementPort + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
      String token = get(port, "/rtm/warm").getString("rtmToken");
      assertThat(VerifiedToken.verify(token).issuedFor(FakeCredentials.APP_ID, 3600).rtm().userId).isEqualTo("warm");

      process.terminate();
      assertThat(process.awaitExit(60_000)).isZero();
    }
  }

  @Test
  void demoModeStartsWithoutCredentialsAndWarnsLoudly() throws Exception {
    Map<String, String> env = Map.of("HOST", "127.0.0.1", "PORT", "0", "MANAGEMENT_PORT", "0");
    try (ServerProcess process = ServerProcess.start(env, Map.of(), "--demo")) {
      int port = process.awaitReady(60_000).port();
      String warning = process.awaitLine("DEMO MODE", 1_000);
      assertThat(warning).contains("Agora will REJECT these tokens");
      String appId = warning.replaceAll(".*APP_ID=([0-9a-f]{32}).*", "$1");
      String token = get(port, "/rtc/demo/publisher/uid/1").getString("rtcToken");
      assertThat(token).startsWith("007");
      io.agora.media.AccessToken2 parsed = new io.agora.media.AccessToken2();
      assertThat(parsed.parse(token)).isTrue();
      assertThat(parsed.appId).isEqualTo(appId);
      process.terminate();
      assertThat(process.awaitExit(60_000)).isZero();
    }
  }

  @Test
  void jsonLogFormatWritesTheStartupLineAsJson() throws Exception {
    Map<String, String> env = Map.of("APP_ID", FakeCredentials.APP_ID, "APP_CERTIFICATE", FakeCredentials.APP_CERTIFICATE,
        "HOST", "127.0.0.1", "PORT", "0", "MANAGEMENT_PORT", "0", "LOG_FORMAT", "json");
    try (ServerProcess process = ServerProcess.start(env, Map.of())) {
      JsonObject line = new JsonObject(process.awaitLine("ready in", 60_000));
      assertThat(line.getString("level")).isEqualTo("INFO");
      assertThat(line.getString("loggerName")).isEqualTo("io.tokenserver.Main");
      assertThat(line.getString("formattedMessage")).startsWith("agora token server ready in ")
          .contains("appId=" + FakeCredentials.APP_ID).doesNotContain("{}");
      assertThat(process.output()).doesNotContain(FakeCredentials.APP_CERTIFICATE);
      process.terminate();
      assertThat(process.awaitExit(60_000)).isZero();
    }
  }
}
