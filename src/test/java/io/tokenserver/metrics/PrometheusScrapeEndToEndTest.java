package io.tokenserver.metrics;

import io.tokenserver.support.ExternalTool;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A real Prometheus server on loopback scrapes the management port; its query API sees the server up. */
class PrometheusScrapeEndToEndTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final long DEADLINE_MILLIS = 60_000;

  @Test
  void prometheusScrapesTheManagementPort(@TempDir Path dir) throws Exception {
    Path prometheus = ExternalTool.require("prometheus", "prometheus");
    int prometheusPort = TestConfig.freePort();
    try (RunningServer server = RunningServer.start()) {
      Files.writeString(dir.resolve("prometheus.yml"), """
          global:
            scrape_interval: 1s
          scrape_configs:
            - job_name: token-server
              metrics_path: /metrics
              static_configs:
                - targets: ['127.0.0.1:%d']
          """.formatted(server.config.managementPort()));
      Process process = new ProcessBuilder(prometheus.toString(),
          "--config.file=" + dir.resolve("prometheus.yml"),
          "--storage.tsdb.path=" + dir.resolve("data"),
          "--web.listen-address=127.0.0.1:" + prometheusPort)
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("prometheus.log").toFile())
          .start();
      try {
        for (int i = 0; i < 5; i++) {
          assertThat(server.get("/rtc/e2e/publisher/uid/" + i).statusCode()).isEqualTo(200);
        }
        String base = "http://127.0.0.1:" + prometheusPort;
        assertThat(poll(base, "up{job=\"token-server\"}")).as(log(dir)).isEqualTo(1.0);
        assertThat(poll(base, "sum(tokens_issued_total{kind=\"rtc\"})")).as(log(dir)).isEqualTo(5.0);
      } finally {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }
  }

  /** Queries until the expression has a non-zero value, or the deadline passes; returns the last value. */
  private static double poll(String base, String query) throws Exception {
    long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
    double value = 0;
    while (System.currentTimeMillis() < deadline) {
      try {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(
            base + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          Thread.sleep(250); // Prometheus answers 503 "Service Unavailable" while it starts
          continue;
        }
        JsonArray result = new JsonObject(response.body()).getJsonObject("data").getJsonArray("result");
        if (!result.isEmpty()) {
          value = Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1));
          if (value > 0) {
            return value;
          }
        }
      } catch (java.io.IOException notUpYet) {
        // Prometheus is still starting
      }
      Thread.sleep(250);
    }
    return value;
  }

  private static String log(Path dir) {
    try {
      return "prometheus log:\n" + Files.readString(dir.resolve("prometheus.log"));
    } catch (java.io.IOException e) {
      return "no prometheus log";
    }
  }
}
