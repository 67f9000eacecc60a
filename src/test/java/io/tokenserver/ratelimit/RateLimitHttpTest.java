package io.tokenserver.ratelimit;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * RATE_LIMIT_PER_SECOND=2, RATE_LIMIT_BURST=3 against the real server. The test client is 127.0.0.1,
 * which the first server trusts as a proxy, so each test plays distinct clients by X-Forwarded-For.
 */
class RateLimitHttpTest {

  private static RunningServer behindProxy;
  private static RunningServer direct;

  @BeforeAll
  static void start() {
    behindProxy = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("RATE_LIMIT_PER_SECOND", 2).put("RATE_LIMIT_BURST", 3).put("RATE_LIMIT_MAX_CALLERS", 50)
        .put("TRUSTED_PROXIES", "127.0.0.1,10.0.0.0/8")));
    direct = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("RATE_LIMIT_PER_SECOND", 2).put("RATE_LIMIT_BURST", 3).put("TRUSTED_PROXIES", "10.0.0.0/8")));
  }

  @AfterAll
  static void stop() {
    behindProxy.close();
    direct.close();
  }

  private static HttpResponse<Buffer> get(RunningServer server, String path, String forwardedFor) {
    HttpRequest<Buffer> request = server.client().get(path);
    if (forwardedFor != null) {
      request.putHeader("X-Forwarded-For", forwardedFor);
    }
    return server.send(request, null);
  }

  @Test
  void aBurstPassesThenTheCallerGets429WithRetryAfterAndRateLimitHeaders() {
    for (int remaining = 2; remaining >= 0; remaining--) {
      HttpResponse<Buffer> ok = get(behindProxy, "/rtm/a", "198.51.100.1");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.getHeader("RateLimit-Limit")).isEqualTo("3");
      assertThat(ok.getHeader("RateLimit-Remaining")).isEqualTo(Integer.toString(remaining));
    }
    HttpResponse<Buffer> refused = get(behindProxy, "/rtm/a", "198.51.100.1");
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(refused.bodyAsJsonObject().getString("error")).contains("too many requests");
    assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
    assertThat(refused.getHeader("RateLimit-Limit")).isEqualTo("3");
    assertThat(refused.getHeader("RateLimit-Remaining")).isEqualTo("0");
    assertThat(Integer.parseInt(refused.getHeader("RateLimit-Reset"))).isBetween(1, 2);
    assertThat(refused.getHeader("Cache-Control")).contains("no-store");
  }

  @Test
  void theBucketRefillsAtTheConfiguredRate() {
    while (get(behindProxy, "/rtm/a", "198.51.100.2").statusCode() == 200) {
      // spend the burst
    }
    // 2 per second: a token comes back within 500 ms. The exact arithmetic is LocalRateLimiterTest's, on a fake
    // clock; here the machine may stall, so wait for the token instead of sleeping a fixed time.
    HttpResponse<Buffer> response = await("a token comes back").atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> get(behindProxy, "/rtm/a", "198.51.100.2"), answer -> answer.statusCode() != 429);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("RateLimit-Remaining")).as("one token back, not the whole burst").isEqualTo("0");
  }

  @Test
  void callersAreLimitedIndependently() {
    while (get(behindProxy, "/rtm/a", "198.51.100.3").statusCode() == 200) {
      // spend the burst
    }
    assertThat(get(behindProxy, "/rtm/a", "198.51.100.4").statusCode()).isEqualTo(200);
    assertThat(get(behindProxy, "/rtm/a", "198.51.100.3").statusCode()).isEqualTo(429);
  }

  @Test
  void behindTrustedProxiesTheForwardedClientIsCountedNotTheProxy() {
    while (get(behindProxy, "/rtm/a", "198.51.100.5, 10.1.1.1").statusCode() == 200) {
      // the client behind two trusted proxies spends its burst
    }
    assertThat(get(behindProxy, "/rtm/a", "198.51.100.5").statusCode()).as("same client, one hop").isEqualTo(429);
    assertThat(get(behindProxy, "/rtm/a", "203.0.113.50, 198.51.100.6").statusCode())
        .as("a forged leftmost hop does not make another client").isEqualTo(200);
  }

  @Test
  void forwardedForFromAnUntrustedPeerIsIgnored() {
    int served = 0;
    for (int i = 0; i < 10; i++) {
      if (get(direct, "/rtm/a", "198.51.100." + (100 + i)).statusCode() == 200) {
        served++;
      }
    }
    assertThat(served).as("all ten share the peer's bucket of 3").isEqualTo(3);
  }

  @Test
  void pingIsNotLimited() {
    for (int i = 0; i < 10; i++) {
      assertThat(get(behindProxy, "/ping", "198.51.100.7").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void manyDistinctCallersKeepTheBucketMapBounded() {
    for (int i = 0; i < 300; i++) {
      get(behindProxy, "/rtm/a", "192.0.2." + (i % 250) + (i >= 250 ? "1" : ""));
    }
    String metrics = behindProxy.management("/metrics").bodyAsString();
    Matcher callers = Pattern.compile("(?m)^token_server_rate_limit_callers\\S* (\\S+)$").matcher(metrics);
    assertThat(callers.find()).as("token_server_rate_limit_callers gauge").isTrue();
    assertThat(Double.parseDouble(callers.group(1))).isLessThanOrEqualTo(50);
    assertThat(metrics).contains("token_server_requests_rate_limited_total");
  }
}
