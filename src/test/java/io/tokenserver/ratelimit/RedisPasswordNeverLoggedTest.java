package io.tokenserver.ratelimit;

import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.RawHttp;
import io.tokenserver.support.RedisServer;
import io.tokenserver.support.ServerProcess;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Main in its own JVM, with the Redis password in REDIS_URL: through an outage and back, no line shows it. */
class RedisPasswordNeverLoggedTest {

  private static final String PASSWORD = "s3cret-redis-password-4f2a";

  private static int get(int port) throws Exception {
    try (RawHttp http = RawHttp.connect(port, 10_000)) {
      return http.send("GET /rtm/a HTTP/1.1\r\nHost: x\r\n\r\n").read().status();
    }
  }

  @Test
  void theRedisUrlAndPasswordStayOutOfTheLogs() throws Exception {
    try (RedisServer redis = RedisServer.start("--requirepass", PASSWORD)) {
      Map<String, String> env = new HashMap<>();
      env.put("APP_ID", FakeCredentials.APP_ID);
      env.put("APP_CERTIFICATE", FakeCredentials.APP_CERTIFICATE);
      env.put("HOST", "127.0.0.1");
      env.put("PORT", "0");
      env.put("MANAGEMENT_PORT", "0");
      env.put("EVENT_LOOPS", "1");
      env.put("RATE_LIMIT_PER_SECOND", "1000");
      env.put("RATE_LIMIT_BACKEND", "redis");
      env.put("REDIS_URL", redis.url().replace("redis://", "redis://:" + PASSWORD + "@"));
      try (ServerProcess server = ServerProcess.start(env, Map.of())) {
        server.awaitLine("rate limits shared through Redis", 30_000);
        int port = server.awaitReady(30_000).port();
        assertThat(get(port)).isEqualTo(200);

        redis.kill();
        for (int i = 0; i < 3; i++) {
          assertThat(get(port)).as("answered by the local fallback").isEqualTo(200);
        }
        server.awaitLine("stopped answering", 10_000);
        redis.restart();
        server.awaitLine("answers again", 15_000);

        server.terminate();
        assertThat(server.awaitExit(30_000)).isZero();
        assertThat(server.output()).doesNotContain(PASSWORD);
      }
    }
  }
}
