package io.tokenserver.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
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

/** A real Prometheus (Debian's package) on a free loopback port, scraping one management port every second. */
public final class PrometheusServer implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final long DEADLINE_MILLIS = 60_000;

  private final Process process;
  private final Path dir;
  private final String base;

  private PrometheusServer(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.base = "http://127.0.0.1:" + port;
  }

  /** Starts Prometheus with its config and data in {@code dir}; skips or fails as {@link ExternalTool} says when it is missing. */
  public static PrometheusServer scraping(int managementPort, Path dir) throws IOException {
    Path prometheus = ExternalTool.require("prometheus", "prometheus");
    int port = TestConfig.freePort();
    Files.writeString(dir.resolve("prometheus.yml"), """
        global:
          scrape_interval: 1s
        scrape_configs:
          - job_name: token-server
            metrics_path: /metrics
            static_configs:
              - targets: ['127.0.0.1:%d']
        """.formatted(managementPort));
    Process process = new ProcessBuilder(prometheus.toString(),
        "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("prometheus.log").toFile())
        .start();
    return new PrometheusServer(process, dir, port);
  }

  /**
   * The result vector of {@code query}, polled until it is not empty or 60 s have passed (Prometheus needs a
   * scrape or two first). A query Prometheus refuses fails the test.
   */
  public JsonArray query(String query) throws InterruptedException {
    long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
    JsonArray result = new JsonArray();
    while (System.currentTimeMillis() < deadline) {
      try {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(
            base + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 503) { // 503 "Service Unavailable" while it starts
          JsonObject body = new JsonObject(response.body());
          assertThat(body.getString("status")).as(query + " → " + response.body()).isEqualTo("success");
          result = body.getJsonObject("data").getJsonArray("result");
          if (!result.isEmpty()) {
            return result;
          }
        }
      } catch (IOException notUpYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    return result;
  }

  /** The first sample of {@code query}, polled until it is above 0 or 60 s have passed; 0 when there is none. */
  public double value(String query) throws InterruptedException {
    long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
    double value = 0;
    while (System.currentTimeMillis() < deadline) {
      JsonArray result = query(query);
      value = result.isEmpty() ? 0 : Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1));
      if (value > 0) {
        return value;
      }
      Thread.sleep(250);
    }
    return value;
  }

  /** Prometheus' own log, for an assertion's description. */
  public String log() {
    try {
      return "prometheus log:\n" + Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "no prometheus log";
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
