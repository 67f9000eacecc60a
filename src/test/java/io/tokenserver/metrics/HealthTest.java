package io.tokenserver.metrics;

import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import io.tokenserver.TokenServer;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.credentials.Projects;
import io.tokenserver.http.InspectHandler;
import io.tokenserver.http.ManagementServer;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.GatedMinter;
import io.tokenserver.support.Jwts;
import io.tokenserver.support.RawHttp;
import io.tokenserver.support.RedisServer;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.tokenserver.support.VerifiedToken;
import io.tokenserver.token.AccessToken2Minter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Liveness and readiness on the management port through start, serving and drain. */
@ExtendWith(VertxExtension.class)
class HealthTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The first answer of the port (connections are refused before it listens). */
  private static HttpResponse<String> firstAnswer(int port, String path) {
    return await("port " + port + " listening").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
        .ignoreExceptionsInstanceOf(java.io.IOException.class)
        .until(() -> get(port, path), response -> true);
  }

  /** The server's named checks: started and callers as given; credentials, signing and rate-limit UP. */
  private static Map<String, String> checks(String started, String callers) {
    return Map.of("started", started, "callers", callers, "credentials", "UP", "signing", "UP", "rate-limit", "UP");
  }

  /** The readiness answer: its status code, the body's status, and each named check's status. */
  private record Readiness(int code, String status, Map<String, String> checks) {

    static Readiness of(HttpResponse<String> response) {
      JsonObject body = new JsonObject(response.body());
      JsonArray checks = body.getJsonArray("checks");
      return new Readiness(response.statusCode(), body.getString("status"), checks.stream()
          .map(JsonObject.class::cast)
          .collect(Collectors.toMap(check -> check.getString("id"), check -> check.getString("status"))));
    }
  }

  private static Readiness readiness(int managementPort) throws Exception {
    return Readiness.of(get(managementPort, "/health/ready"));
  }

  @Test
  void readinessIs503UntilTheCallerGateIsReadyAndThePublicPortListens(Vertx jwksVertx) throws Exception {
    // A JWKS fetched over the network at startup, held back until the test lets it answer.
    CountDownLatch jwksReleased = new CountDownLatch(1);
    try (Jwts jwts = new Jwts()) {
      HttpServer jwksServer = jwksVertx.createHttpServer()
          .requestHandler(request -> jwksVertx.<Void>executeBlocking(() -> {
            jwksReleased.await(20, TimeUnit.SECONDS);
            return null;
          }).onComplete(released -> request.response().end(jwts.jwks().encode())))
          .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      // The probes are read while the start is under way, before it reports the port it got: a number is needed.
      ServerConfig config = ServerConfig.from(TestConfig.values().put("MANAGEMENT_PORT", TestConfig.freePort())
          .put("AUTH_MODE", "jwt")
          .put("JWT_JWKS", "http://127.0.0.1:" + jwksServer.actualPort() + "/jwks.json")
          .put("JWT_AUDIENCE", "token-server").put("JWT_ISSUER", "https://issuer.example"));
      Future<TokenServer> starting = TokenServer.start(config, new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS));

      Readiness whileStarting = Readiness.of(firstAnswer(config.managementPort(), "/health/ready"));
      assertThat(whileStarting.code()).isEqualTo(503);
      assertThat(whileStarting.status()).isEqualTo("DOWN");
      assertThat(get(config.managementPort(), "/health/live").statusCode()).isEqualTo(200);

      // Started, but not ready while it cannot check a caller: the body names the check that is down.
      TokenServer server = starting.await(20, TimeUnit.SECONDS);
      try {
        assertThat(readiness(config.managementPort()))
            .isEqualTo(new Readiness(503, "DOWN", checks("UP", "DOWN")));

        jwksReleased.countDown();
        await().atMost(Duration.ofSeconds(20))
            .until(() -> get(config.managementPort(), "/health/ready").statusCode() == 200);
        assertThat(readiness(config.managementPort()))
            .isEqualTo(new Readiness(200, "UP", checks("UP", "UP")));
        assertThat(get(server.port(), "/ping").statusCode()).isEqualTo(200);
      } finally {
        server.shutdown().get(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * The signing pool and the rate-limit backend are listed with their state but keep readiness UP: with Redis
   * gone the fallback policy is in force, and a saturated pool answers 503 itself.
   */
  @Test
  void readinessListsTheSigningPoolAndTheRateLimitBackendWithoutFailingOnThem() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      ServerConfig config = ServerConfig.from(TestConfig.values().put("RATE_LIMIT_PER_SECOND", 1000)
          .put("RATE_LIMIT_BACKEND", "redis").put("REDIS_URL", redis.url()).put("SIGNING_MAX_PENDING", 77));
      try (RunningServer server = RunningServer.start(config)) {
        JsonArray checks = new JsonObject(get(server.managementPort(), "/health/ready").body()).getJsonArray("checks");
        assertThat(check(checks, "signing").getJsonObject("data").getInteger("maxPending")).isEqualTo(77);
        assertThat(check(checks, "rate-limit").getJsonObject("data").getBoolean("backendUp")).isTrue();

        redis.kill();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
          server.get("/rtm/while-redis-is-down");
          return !check(new JsonObject(get(server.managementPort(), "/health/ready").body()).getJsonArray("checks"),
              "rate-limit").getJsonObject("data").getBoolean("backendUp");
        });
        HttpResponse<String> ready = get(server.managementPort(), "/health/ready");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(check(new JsonObject(ready.body()).getJsonArray("checks"), "rate-limit").getString("status"))
            .isEqualTo("UP");
      }
    }
  }

  private static JsonObject check(JsonArray checks, String id) {
    return checks.stream().map(JsonObject.class::cast).filter(check -> id.equals(check.getString("id")))
        .findFirst().orElseThrow(() -> new AssertionError("no check " + id + " in " + checks.encode()));
  }

  @Test
  void drainTurnsReadinessTo503FirstKeepsAnsweringForTheDelayAndFinishesInFlightRequests() throws Exception {
    ServerConfig config = ServerConfig.from(TestConfig.values().put("DRAIN_DELAY_SECONDS", 2));
    GatedMinter minter = new GatedMinter();
    TokenServer server = TokenServer.start(config, minter).await(20, TimeUnit.SECONDS);
    assertThat(readiness(server.managementPort()))
        .isEqualTo(new Readiness(200, "UP", checks("UP", "UP")));

    CompletableFuture<HttpResponse<String>> inFlight = HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/rtm/held")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(minter.entered.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> drained = server.shutdown();
    assertThat(readiness(server.managementPort()))
        .isEqualTo(new Readiness(503, "DOWN", checks("DOWN", "UP")));
    assertThat(get(server.managementPort(), "/health/live").statusCode()).isEqualTo(200);
    // Within the delay the port still takes new connections, and each answer ends its connection.
    try (RawHttp late = RawHttp.connect(server.port(), 10_000)) {
      RawHttp.Response answer = late.send("GET /rtc/stage/publisher/uid/7 HTTP/1.1\r\nHost: x\r\n\r\n").read();
      assertThat(answer.status()).isEqualTo(200);
      VerifiedToken.verify(new JsonObject(answer.text()).getString("rtcToken"));
      assertThat(answer.header("connection")).isEqualToIgnoringCase("close");
      assertThat(late.closedByServerWithin(10_000)).isTrue();
    }
    assertThat(drained).isNotDone();

    minter.release.countDown();
    HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    VerifiedToken.verify(new io.vertx.core.json.JsonObject(response.body()).getString("rtmToken"));
    drained.get(30, TimeUnit.SECONDS);
  }

  /** PORT=0 and MANAGEMENT_PORT=0 take free ports; the server reports the ones it got, all its event loops on one. */
  @Test
  void portZeroListensOnFreePortsTheServerReports() throws Exception {
    ServerConfig config = ServerConfig.from(TestConfig.values().put("PORT", 0).put("MANAGEMENT_PORT", 0)
        .put("EVENT_LOOPS", 2));
    TokenServer server = TokenServer.start(config, new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS))
        .await(20, TimeUnit.SECONDS);
    try {
      assertThat(server.port()).isPositive().isNotEqualTo(server.managementPort());
      assertThat(server.managementPort()).isPositive();
      assertThat(readiness(server.managementPort()))
          .isEqualTo(new Readiness(200, "UP", checks("UP", "UP")));
      // Both event loops' verticles share the one port: each connection lands on one of them, all answered.
      for (int i = 0; i < 4; i++) {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/rtm/port-zero")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        VerifiedToken.verify(new JsonObject(response.body()).getString("rtmToken"));
      }
    } finally {
      server.shutdown().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void readinessStatusAndBodyAgreeOnEveryAnswerWhileTheStateFlips(Vertx vertx) throws Exception {
    AtomicBoolean up = new AtomicBoolean();
    AtomicBoolean flipping = new AtomicBoolean(true);
    Thread flipper = new Thread(() -> {
      while (flipping.get()) {
        up.set(!up.get());
        Thread.onSpinWait();
      }
    }, "flipper");
    try {
      HealthChecks checks = HealthChecks.create(vertx)
          .register("flipping", check -> check.complete(new Status().setOk(up.get())));
      int port = ManagementServer.start(vertx, "127.0.0.1", 0, MetricsSetup.createRegistry(), checks,
              new InspectHandler(Projects.of(TestConfig.config().projects())))
          .await(10, TimeUnit.SECONDS).actualPort();
      flipper.start();
      int upAnswers = 0;
      int downAnswers = 0;
      try (RawHttp http = RawHttp.connect(port, 10_000)) {
        for (int i = 0; i < 3000; i++) {
          RawHttp.Response response = http.send("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n").read();
          JsonObject body = new JsonObject(response.text());
          String check = body.getJsonArray("checks").getJsonObject(0).getString("status");
          assertThat(body.getString("status")).as("answer %d: %d %s", i, response.status(), body)
              .isEqualTo(response.status() == 200 ? "UP" : "DOWN").isEqualTo(check);
          assertThat(response.status()).isIn(200, 503);
          if (response.status() == 200) {
            upAnswers++;
          } else {
            downAnswers++;
          }
        }
      }
      assertThat(upAnswers).as("the state did flip").isPositive();
      assertThat(downAnswers).as("the state did flip").isPositive();
    } finally {
      flipping.set(false);
      flipper.join(5000);
    }
  }
}
