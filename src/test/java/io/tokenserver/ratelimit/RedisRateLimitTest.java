package io.tokenserver.ratelimit;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.PrometheusText;
import io.tokenserver.support.RedisServer;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.tokenserver.support.VerifiedToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RATE_LIMIT_BACKEND=redis against a real redis-server on a free loopback port: replicas share one limit,
 * a Redis outage falls back as documented (no 5xx, no request slower than the Redis timeout), and the shared
 * limit comes back with Redis. Every caller here is the test client's address, 127.0.0.1.
 */
class RedisRateLimitTest {

  private static final int PER_SECOND = 5;
  private static final int BURST = 10;
  /** Wider than the default 50 ms: CI machines are busy, and a slow answer here would read as an outage. */
  private static final int TIMEOUT_MS = 250;
  /** Allowance for the test client's own round trip on a loaded two-core machine. */
  private static final long MARGIN_MS = 250;

  private RedisServer redis;
  private final List<RunningServer> servers = new ArrayList<>();
  private final String prefix = "test-" + UUID.randomUUID() + ":";

  @BeforeEach
  void startRedis() {
    redis = RedisServer.start();
  }

  @AfterEach
  void stopAll() {
    servers.forEach(RunningServer::close);
    redis.close();
  }

  private RunningServer replica(String failure) {
    JsonObject values = TestConfig.values()
        .put("RATE_LIMIT_PER_SECOND", PER_SECOND).put("RATE_LIMIT_BURST", BURST)
        .put("RATE_LIMIT_BACKEND", "redis").put("REDIS_URL", redis.url())
        .put("RATE_LIMIT_REDIS_KEY_PREFIX", prefix).put("RATE_LIMIT_REDIS_TIMEOUT_MS", TIMEOUT_MS)
        .put("RATE_LIMIT_REDIS_FAILURE", failure);
    RunningServer server = RunningServer.start(ServerConfig.from(values));
    servers.add(server);
    return server;
  }

  private static double backendUp(RunningServer server) {
    return new PrometheusText(server.management("/metrics").bodyAsString()).value("token_server_rate_limit_backend_up");
  }

  /** Polls a metric: there is no event to wait on. */
  private static void await(String what, BooleanSupplier condition) {
    Awaitility.await(what).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
        .until(condition::getAsBoolean);
  }

  /** Sends until the first 429, which it returns; {@code most} bounds the 200s before it. */
  private static HttpResponse<Buffer> spendBurst(RunningServer server, int most) {
    int answered = 0;
    while (true) {
      HttpResponse<Buffer> response = server.get("/rtm/a");
      if (response.statusCode() != 200) {
        return response;
      }
      assertThat(++answered).as("200s before the first 429").isLessThanOrEqualTo(most);
    }
  }

  private static void spendBurst(RunningServer server) {
    spendBurst(server, 100); // a bucket holds at most its burst plus what refills meanwhile
  }

  /**
   * Another replica's bucket for the same caller is the spent one: it lets through at most the one or two
   * requests refilled since (a token every 200 ms on a busy machine), never a fresh burst.
   */
  private static HttpResponse<Buffer> alreadySpent(RunningServer server) {
    return spendBurst(server, 2);
  }

  /**
   * A Redis check answers later than the request's body arrives: the body is read before the gate, so
   * POST /getToken mints from it (a BodyHandler behind the gate failed every such request with a 500).
   */
  @Test
  void postedBodiesAreReadBehindARedisCheck() {
    RunningServer server = replica("local");
    for (String path : new String[] {"/getToken", "/getToken/", "/projects/default/getToken"}) {
      HttpResponse<Buffer> response = server.post(path, new JsonObject().put("tokenType", "rtc")
          .put("channel", "stage").put("role", "publisher").put("uid", 7).put("expire", 600));
      assertThat(response.statusCode()).as(path + ": " + response.bodyAsString()).isEqualTo(200);
      assertThat(response.getHeader("RateLimit-Remaining")).as("checked against Redis").isNotNull();
      VerifiedToken token = VerifiedToken.verify(response.bodyAsJsonObject().getString("token")).issuedFor(600);
      assertThat(token.rtc().channelName).isEqualTo("stage");
      assertThat(token.rtc().uid).isEqualTo("7");
      assertThat(token.rtc().privileges).isEqualTo(VerifiedToken.rtcPrivileges(true, 600));
    }
    assertThat(backendUp(server)).isEqualTo(1.0);
  }

  @Test
  void twoReplicasSharingOneRedisHoldTheCallerToOneLimit() throws Exception {
    RunningServer a = replica("local");
    RunningServer b = replica("local");
    // Four clients on each replica at once: each replica's concurrent checks share Redis calls, and both
    // replicas update the same key at the same moments.
    AtomicIntegerArray allowed = new AtomicIntegerArray(2);
    AtomicIntegerArray refused = new AtomicIntegerArray(2);
    ExecutorService clients = Executors.newFixedThreadPool(8);
    long start = System.nanoTime();
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int client = 0; client < 8; client++) {
        int which = client % 2;
        running.add(clients.submit(() -> {
          for (int i = 0; i < 75; i++) {
            int status = (which == 0 ? a : b).get("/rtm/42").statusCode();
            assertThat(status).isIn(200, 429);
            (status == 200 ? allowed : refused).incrementAndGet(which);
          }
        }));
      }
      for (Future<?> client : running) {
        client.get();
      }
    } finally {
      clients.shutdown();
    }
    double elapsedSeconds = (System.nanoTime() - start) / 1e9;

    int total = allowed.get(0) + allowed.get(1);
    double limit = BURST + PER_SECOND * elapsedSeconds;
    assertThat(total).as("200s of both replicas within one limit (burst + rate x %.2f s = %.1f) + 5 %% (a: %d/%d,"
            + " b: %d/%d)", elapsedSeconds, limit, allowed.get(0), refused.get(0), allowed.get(1), refused.get(1))
        .isBetween(BURST, (int) (limit * 1.05));
    assertThat(refused.get(0)).as("replica a refused the caller too").isPositive();
    assertThat(refused.get(1)).as("replica b refused the caller too").isPositive();
    assertThat(backendUp(a)).isEqualTo(1.0);
  }

  @Test
  void aBurstSpentOnOneReplicaIsSpentOnTheOther() {
    RunningServer a = replica("local");
    RunningServer b = replica("local");
    spendBurst(a);
    HttpResponse<Buffer> refused = alreadySpent(b);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.getHeader("RateLimit-Limit")).isEqualTo(Integer.toString(BURST));
    assertThat(refused.getHeader("RateLimit-Remaining")).isEqualTo("0");
    assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
  }

  @Test
  void killingRedisFallsBackToEachReplicasOwnLimitAndItsReturnRestoresTheSharedOne() throws InterruptedException {
    RunningServer a = replica("local");
    RunningServer b = replica("local");
    spendBurst(a);
    assertThat(alreadySpent(b).statusCode()).isEqualTo(429);

    redis.kill();
    int allowedDuringOutage = 0;
    for (int i = 0; i < 40; i++) {
      long started = System.nanoTime();
      HttpResponse<Buffer> response = a.get("/rtm/a");
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      assertThat(response.statusCode()).as("no 5xx while Redis is down").isIn(200, 429);
      assertThat(tookMs).as("request %d answered within the Redis timeout", i).isLessThan(TIMEOUT_MS + MARGIN_MS);
      if (response.statusCode() == 200) {
        allowedDuringOutage++;
      }
    }
    // The replica's own bucket was never touched while Redis answered: it starts full.
    assertThat(allowedDuringOutage).as("fail-open to the local limiter").isBetween(BURST, BURST + 10);
    assertThat(backendUp(a)).isEqualTo(0.0);

    redis.restart();
    await("replica a probes Redis back", () -> backendUp(a) == 1.0);
    await("replica b probes Redis back", () -> {
      b.get("/rtm/a");
      return backendUp(b) == 1.0;
    });
    spendBurst(b);
    assertThat(alreadySpent(a).statusCode()).as("one shared limit again").isEqualTo(429);
  }

  @Test
  void aStalledRedisCostsEachRequestNoMoreThanTheTimeout() throws InterruptedException {
    RunningServer a = replica("local");
    assertThat(a.get("/rtm/a").statusCode()).isEqualTo(200);

    redis.pause(true);
    try {
      for (int i = 0; i < 20; i++) {
        long started = System.nanoTime();
        HttpResponse<Buffer> response = a.get("/rtm/a");
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(response.statusCode()).isIn(200, 429);
        assertThat(tookMs).as("request %d", i).isLessThan(TIMEOUT_MS + MARGIN_MS);
      }
      assertThat(backendUp(a)).isEqualTo(0.0);
    } finally {
      redis.pause(false);
    }
    await("Redis answers again", () -> backendUp(a) == 1.0);
  }

  @Test
  void aPasswordFromAFileLogsInToARedisThatRequiresOne(@TempDir Path dir) throws IOException {
    redis.close();
    redis = RedisServer.start("--requirepass", "s3cret-redis-password");
    Path password = Files.writeString(dir.resolve("redis-password"), "s3cret-redis-password\n");
    RunningServer a = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("RATE_LIMIT_PER_SECOND", PER_SECOND).put("RATE_LIMIT_BURST", BURST)
        .put("RATE_LIMIT_BACKEND", "redis").put("REDIS_URL", redis.url())
        .put("REDIS_PASSWORD_FILE", password.toString()).put("RATE_LIMIT_REDIS_KEY_PREFIX", prefix)));
    servers.add(a);
    assertThat(backendUp(a)).as("authenticated and connected").isEqualTo(1.0);
    spendBurst(a);
    assertThat(a.get("/rtm/a").getHeader("RateLimit-Remaining")).isEqualTo("0");
  }

  @Test
  void withDenyARedisDownAtStartupRefusesUntilItComes() throws InterruptedException {
    redis.kill();
    RunningServer a = replica("deny");
    assertThat(a.server.isReady()).as("a Redis down at startup does not stop the server").isTrue();
    HttpResponse<Buffer> refused = a.get("/rtm/a");
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
    assertThat(backendUp(a)).isEqualTo(0.0);
    assertThat(a.get("/ping").statusCode()).as("unlimited routes still answer").isEqualTo(200);

    redis.restart();
    await("the first connection is made once Redis is there", () -> backendUp(a) == 1.0);
    assertThat(a.get("/rtm/a").statusCode()).isEqualTo(200);
  }
}
