package io.tokenserver;

import io.tokenserver.support.PrometheusText;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.tokenserver.support.VerifiedToken;
import io.tokenserver.config.ServerConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WarmUpTest {

  @Test
  void readinessWaitsForAWarmUpThatNeverReachesTheUsersMetrics() {
    ServerConfig config = ServerConfig.from(TestConfig.values().put("WARMUP_SECONDS", 1));
    try (RunningServer server = RunningServer.start(config)) {
      // At least one full pipelined round: every token route and a bad request were answered.
      assertThat(server.server.warmUpRequests()).isGreaterThanOrEqualTo(32);
      assertThat(server.server.isReady()).isTrue();

      String before = server.management("/metrics").bodyAsString();
      assertThat(before).doesNotContain("vertx_http_server_requests_total{");
      assertThat(before).contains("tokens_issued_total{kind=\"rtc\"} 0.0", "token_signing_seconds_count 0");

      HttpResponse<Buffer> response = server.get("/rtc/stage/publisher/uid/42");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(VerifiedToken.verify(response.bodyAsJsonObject().getString("rtcToken")).rtc().channelName)
          .isEqualTo("stage");
      PrometheusText after = new PrometheusText(server.management("/metrics").bodyAsString());
      assertThat(after.value("tokens_issued_total{kind=\"rtc\"}")).isEqualTo(1.0);
    }
  }

  @Test
  void zeroSecondsSkipsTheWarmUp() {
    try (RunningServer server = RunningServer.start(TestConfig.config())) {
      assertThat(server.server.warmUpRequests()).isZero();
    }
  }
}
