package io.tokenserver;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.PrometheusText;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.RedisServer;
import io.tokenserver.support.TestConfig;
import io.tokenserver.support.VerifiedToken;
import io.tokenserver.support.VertxInstances;
import io.tokenserver.token.AccessToken2Minter;
import io.tokenserver.token.AppCredentials;
import io.tokenserver.token.ChatTokenRequest;
import io.tokenserver.token.RtcTokenRequest;
import io.tokenserver.token.RtmTokenRequest;
import io.tokenserver.token.TokenMinter;
import io.tokenserver.support.Jwts;
import io.tokenserver.support.RawHttp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The start-up warm-up: the server's own port and code, before readiness, and nothing of it in what users see. */
class WarmUpTest {

  @Test
  void readinessWaitsForAWarmUpThatNeverReachesTheUsersMetrics() {
    ServerConfig config = ServerConfig.from(TestConfig.values().put("WARMUP_SECONDS", 1));
    try (RunningServer server = RunningServer.start(config)) {
      assertThat(server.server.warmUpRequests()).isGreaterThanOrEqualTo(64);
      assertThat(server.server.isReady()).isTrue();

      String before = server.management("/metrics").bodyAsString();
      assertThat(before).doesNotContain("token_server_http_requests_total{");
      assertThat(before).contains("token_server_tokens_issued_total{kind=\"rtc\",project=\"default\"} 0.0", "token_server_signing_duration_seconds_count 0");

      HttpResponse<Buffer> response = server.get("/rtc/stage/publisher/uid/42");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(VerifiedToken.verify(response.bodyAsJsonObject().getString("rtcToken")).rtc().channelName)
          .isEqualTo("stage");
      // The HTTP meters record as the answer ends, which may come just after the client has read it.
      String requestsSeries = "token_server_http_requests_total{code=\"200\",method=\"GET\","
          + "route=\"/rtc/:channel/:role/:tokentype/:uid\"}";
      PrometheusText after = Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> new PrometheusText(server.management("/metrics").bodyAsString()),
              scrape -> scrape.value(requestsSeries) != null);
      assertThat(after.value("token_server_tokens_issued_total{kind=\"rtc\",project=\"default\"}")).isEqualTo(1.0);
      assertThat(after.value(requestsSeries)).isEqualTo(1.0);
    }
  }

  /** The JIT compiles the code it saw run: the warm-up signs with the server's own minter, on the server's own port. */
  @Test
  void theWarmUpRunsTheServersOwnMinterBeforeReadiness() {
    AtomicInteger minted = new AtomicInteger();
    ServerConfig config = ServerConfig.from(TestConfig.values().put("WARMUP_SECONDS", 1));
    try (RunningServer server = RunningServer.start(config, countingMinter(minted))) {
      assertThat(server.server.warmUpRequests()).isGreaterThanOrEqualTo(64);
      assertThat(minted.get()).as("tokens the warm-up had the server's minter sign")
          .isGreaterThanOrEqualTo(50);
    }
  }

  /**
   * With API keys and a rate limit of 2 requests a caller, the warm-up passes the same kind of gate with a key of
   * its own, and still leaves the users a full bucket and no 401 or 429 counted.
   */
  @Test
  void theWarmUpPassesTheConfiguredGateWithoutSpendingTheUsersBuckets() {
    AtomicInteger minted = new AtomicInteger();
    String key = "warm-up-test-key-0123456789";
    ServerConfig config = ServerConfig.from(TestConfig.values().put("WARMUP_SECONDS", 1)
        .put("AUTH_MODE", "api-key").put("API_KEYS", key)
        .put("RATE_LIMIT_PER_SECOND", 1).put("RATE_LIMIT_BURST", 2));
    try (RunningServer server = RunningServer.start(config, countingMinter(minted))) {
      assertThat(minted.get()).as("warm-up requests through the API key gate").isGreaterThanOrEqualTo(50);
      PrometheusText metrics = new PrometheusText(server.management("/metrics").bodyAsString());
      assertThat(metrics.value("token_server_requests_unauthorized_total")).isZero();
      assertThat(metrics.value("token_server_requests_rate_limited_total")).isZero();
      assertThat(metrics.value("token_server_rate_limit_callers")).as("buckets held for callers").isZero();

      HttpResponse<Buffer> first = server.send(server.client().request(HttpMethod.GET, "/rtm/after-warm-up")
          .putHeader("X-API-Key", key), null);
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.getHeader("RateLimit-Remaining")).as("the caller's bucket is full but for this request")
          .isEqualTo("1");
      assertThat(VerifiedToken.verify(first.bodyAsJsonObject().getString("rtmToken")).rtm().userId)
          .isEqualTo("after-warm-up");
    }
  }

  /**
   * The warm-up's Redis limiter (buckets of its own) lives in the warm-up verticle's context: undeploying it
   * closes its connections before the server is ready.
   */
  @Test
  void aRedisRateLimitWarmsUpOnConnectionsThatAreClosedBeforeReadiness() {
    try (RedisServer redis = RedisServer.start()) {
      ServerConfig config = ServerConfig.from(TestConfig.values().put("WARMUP_SECONDS", 1)
          .put("RATE_LIMIT_PER_SECOND", 100).put("RATE_LIMIT_BACKEND", "redis").put("REDIS_URL", redis.url()));
      try (RunningServer server = RunningServer.start(config)) {
        assertThat(server.server.warmUpRequests()).isPositive();
        assertThat(redis.connectedClients()).as("one connection per event loop, the server's own limiter's")
            .isEqualTo(config.eventLoops());
        assertThat(server.get("/rtm/after-warm-up").getHeader("RateLimit-Remaining")).isNotNull();
      }
    }
  }

  /**
   * Before readiness the API port already listens, since the warm-up runs through it, and gives no token to
   * anyone but the warm-up: whatever the auth mode, a caller with good credentials gets 401 until ready, and its
   * token once ready.
   */
  @ParameterizedTest
  @ValueSource(strings = {"none", "api-key", "jwt"})
  void untilReadyThePortGivesTokensToTheWarmUpAlone(String mode) throws Exception {
    String key = "warm-up-test-key-0123456789";
    int port = TestConfig.freePort();
    ServerConfig config = ServerConfig.from(TestConfig.values().put("WARMUP_SECONDS", 3).put("PORT", port)
        .put("AUTH_MODE", mode).put("API_KEYS", key).put("JWT_SECRET", Jwts.SECRET));
    String credentials = switch (mode) {
      case "api-key" -> "X-API-Key: " + key + "\r\n";
      case "jwt" -> "Authorization: Bearer " + Jwts.hs256(Jwts.claims("early"), Jwts.SECRET) + "\r\n";
      default -> "";
    };
    Future<TokenServer> starting = TokenServer.start(config,
        new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS));
    try {
      RawHttp.Response early = Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
          .until(() -> {
            try (RawHttp http = RawHttp.connect(port, 5000)) {
              return http.send("GET /rtm/early HTTP/1.1\r\nHost: 127.0.0.1\r\n" + credentials + "\r\n").read();
            }
          }, response -> response != null);
      assertThat(starting.isComplete()).as("answered during the warm-up").isFalse();
      assertThat(early.status()).isEqualTo(401);
      assertThat(new JsonObject(Buffer.buffer(early.body())).fieldNames()).containsExactly("error");

      starting.await(30, TimeUnit.SECONDS);
      try (RawHttp http = RawHttp.connect(port, 5000)) {
        RawHttp.Response live = http.send("GET /rtm/early HTTP/1.1\r\nHost: 127.0.0.1\r\n" + credentials + "\r\n")
            .read();
        assertThat(live.status()).as("the same request once ready, through the configured gate").isEqualTo(200);
        String token = new JsonObject(Buffer.buffer(live.body())).getString("rtmToken");
        assertThat(VerifiedToken.verify(token).rtm().userId).isEqualTo("early");
      }
    } finally {
      starting.await(30, TimeUnit.SECONDS).shutdown().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Readiness turns 200 as the warm-up's last answer comes in, not after the start-up's remaining steps: from the
   * first 200 on, the minter signs nothing more for the warm-up, and the start completes after it.
   */
  @Test
  void readinessTurnsAtTheWarmUpsLastAnswer() throws Exception {
    AtomicInteger minted = new AtomicInteger();
    int managementPort = TestConfig.freePort();
    ServerConfig config = ServerConfig.from(TestConfig.values().put("WARMUP_SECONDS", 2)
        .put("MANAGEMENT_PORT", managementPort));
    HttpClient probe = HttpClient.newHttpClient();
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/health/ready"))
        .timeout(Duration.ofSeconds(1)).build();
    Future<TokenServer> starting = TokenServer.start(config, countingMinter(minted));
    try {
      Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).ignoreExceptions()
          .until(() -> probe.send(ready, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
      int mintedAtReady = minted.get();
      TokenServer server = starting.await(30, TimeUnit.SECONDS);
      assertThat(mintedAtReady).as("tokens the warm-up had signed").isGreaterThanOrEqualTo(64);
      assertThat(minted.get()).as("tokens signed after readiness turned 200").isEqualTo(mintedAtReady);
      assertThat(server.isReady()).isTrue();
    } finally {
      starting.await(30, TimeUnit.SECONDS).shutdown().get(30, TimeUnit.SECONDS);
    }
  }

  /** One Vert.x for the API (the warm-up runs on it too) and one for the management port. */
  @Test
  void theServerBuildsOneVertxForTheApiAndOneForManagement() {
    ServerConfig config = ServerConfig.from(TestConfig.values().put("WARMUP_SECONDS", 1));
    int before = VertxInstances.built();
    try (RunningServer server = RunningServer.start(config)) {
      assertThat(server.server.warmUpRequests()).isPositive();
      // RunningServer's own test client is the third.
      assertThat(VertxInstances.built() - before).isEqualTo(3);
    }
  }

  @Test
  void zeroSecondsSkipsTheWarmUp() {
    try (RunningServer server = RunningServer.start(TestConfig.config())) {
      assertThat(server.server.warmUpRequests()).isZero();
    }
  }

  private static TokenMinter countingMinter(AtomicInteger minted) {
    AccessToken2Minter real = new AccessToken2Minter(
        () -> new AppCredentials(FakeCredentials.APP_ID, FakeCredentials.APP_CERTIFICATE));
    return new TokenMinter() {
      @Override
      public String rtc(RtcTokenRequest request) {
        minted.incrementAndGet();
        return real.rtc(request);
      }

      @Override
      public String rtm(RtmTokenRequest request) {
        minted.incrementAndGet();
        return real.rtm(request);
      }

      @Override
      public String chat(ChatTokenRequest request) {
        minted.incrementAndGet();
        return real.chat(request);
      }
    };
  }
}
