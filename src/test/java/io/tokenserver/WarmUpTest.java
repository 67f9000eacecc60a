package io.tokenserver;

import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.PrometheusText;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.tokenserver.support.VerifiedToken;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.token.AccessToken2Minter;
import io.tokenserver.token.AppCredentials;
import io.tokenserver.token.ChatTokenRequest;
import io.tokenserver.token.RtcTokenRequest;
import io.tokenserver.token.RtmTokenRequest;
import io.tokenserver.token.TokenMinter;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

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
      assertThat(before).contains("tokens_issued_total{kind=\"rtc\",project=\"default\"} 0.0", "token_signing_seconds_count 0");

      HttpResponse<Buffer> response = server.get("/rtc/stage/publisher/uid/42");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(VerifiedToken.verify(response.bodyAsJsonObject().getString("rtcToken")).rtc().channelName)
          .isEqualTo("stage");
      PrometheusText after = new PrometheusText(server.management("/metrics").bodyAsString());
      assertThat(after.value("tokens_issued_total{kind=\"rtc\",project=\"default\"}")).isEqualTo(1.0);
    }
  }

  @Test
  void theWarmUpNeverSignsWithTheServersMinter() {
    AtomicInteger minted = new AtomicInteger();
    ServerConfig config = ServerConfig.from(TestConfig.values().put("WARMUP_SECONDS", 1));
    try (RunningServer server = RunningServer.start(config, countingMinter(minted))) {
      assertThat(server.server.warmUpRequests()).isGreaterThanOrEqualTo(32);
      assertThat(minted).as("tokens signed with the configured credentials during the warm-up").hasValue(0);
      assertThat(server.get("/rtm/after-warm-up").statusCode()).isEqualTo(200);
      assertThat(minted).hasValue(1);
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

  @Test
  void zeroSecondsSkipsTheWarmUp() {
    try (RunningServer server = RunningServer.start(TestConfig.config())) {
      assertThat(server.server.warmUpRequests()).isZero();
    }
  }
}
