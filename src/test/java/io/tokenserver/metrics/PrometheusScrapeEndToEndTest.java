package io.tokenserver.metrics;

import io.tokenserver.support.RunningServer;
import io.tokenserver.support.PrometheusServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A real Prometheus server on loopback scrapes the management port; its query API sees the server up. */
class PrometheusScrapeEndToEndTest {

  @Test
  void prometheusScrapesTheManagementPort(@TempDir Path dir) throws Exception {
    try (RunningServer server = RunningServer.start();
         PrometheusServer prometheus = PrometheusServer.scraping(server.managementPort(), dir)) {
      for (int i = 0; i < 5; i++) {
        assertThat(server.get("/rtc/e2e/publisher/uid/" + i).statusCode()).isEqualTo(200);
      }
      assertThat(prometheus.value("up{job=\"token-server\"}")).as(prometheus.log()).isEqualTo(1.0);
      assertThat(prometheus.value("sum(token_server_tokens_issued_total{kind=\"rtc\"})")).as(prometheus.log()).isEqualTo(5.0);
    }
  }
}
