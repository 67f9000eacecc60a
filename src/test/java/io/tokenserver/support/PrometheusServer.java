package io.tokenserver.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
  public JsonArray query(String query) {
    AtomicReference<JsonArray> last = new AtomicReference<>(new JsonArray());
    return poll(() -> {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(
          base + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 503) { // 503 "Service Unavailable" while it starts
        JsonObject body = new JsonObject(response.body());
        assertThat(body.getString("status")).as(query + " → " + response.body()).isEqualTo("success");
        last.set(body.getJsonObject("data").getJsonArray("result"));
      }
      return last.get();
    }, result -> !result.isEmpty(), last);
  }

  /** The first sample of {@code query}, polled until it is above 0 or 60 s have passed; 0 when there is none. */
  public double value(String query) {
    AtomicReference<Double> last = new AtomicReference<>(0.0);
    return poll(() -> {
      JsonArray result = query(query);
      last.set(result.isEmpty() ? 0 : Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1)));
      return last.get();
    }, value -> value > 0, last);
  }

  /** Polls {@code read} until {@code done}; on the deadline, the last value read (Prometheus not up counts as none). */
  private static <T> T poll(Callable<T> read, Predicate<T> done, AtomicReference<T> last) {
    try {
      return await().atMost(Duration.ofMillis(DEADLINE_MILLIS)).pollInterval(Duration.ofMillis(250))
          .ignoreExceptionsInstanceOf(IOException.class).until(read, done);
    } catch (ConditionTimeoutException e) {
      return last.get();
    }
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
