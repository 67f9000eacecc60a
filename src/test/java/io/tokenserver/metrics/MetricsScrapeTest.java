package io.tokenserver.metrics;

import io.tokenserver.support.RunningServer;
import io.tokenserver.support.PrometheusText;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Scrapes /metrics after a known mix of requests. */
class MetricsScrapeTest {

  private static final String SECRET_CHANNEL = "secret-channel-xyz";
  private static final String SECRET_UID = "918273645";
  private static final String RTC_ROUTE = "route=\"/rtc/:channel/:role/:tokentype/:uid\"";

  /** The requests {@link #runKnownMix} sends. */
  private static final int REQUESTS_SENT = 13;

  private static RunningServer server;
  private static String exposition;
  private static PrometheusText metrics;

  @BeforeAll
  static void runKnownMix() {
    server = RunningServer.start();
    for (int i = 0; i < 3; i++) {
      ok("/rtc/" + SECRET_CHANNEL + "/publisher/uid/" + SECRET_UID);
    }
    ok("/rtm/" + SECRET_UID);
    ok("/rtm/someone/");
    ok("/rte/" + SECRET_CHANNEL + "/subscriber/uid/" + SECRET_UID); // one rtc and one rtm token
    ok("/chat/account/c0"); // a chat token (app tokens need a key: ChatAppTokensTest)
    assertThat(server.post("/getToken", new JsonObject().put("tokenType", "chat").put("uid", "c1")).statusCode())
        .isEqualTo(200);
    assertThat(server.get("/rtc/" + SECRET_CHANNEL + "/admin/uid/1").statusCode()).isEqualTo(400);
    assertThat(server.get("/rtc/" + SECRET_CHANNEL + "/king/uid/1/").statusCode()).isEqualTo(400);
    assertThat(server.get("/rtm/x?expiry=0").statusCode()).isEqualTo(400);
    assertThat(server.post("/getToken", "not json").statusCode()).isEqualTo(400);
    assertThat(server.get("/no/such/" + SECRET_CHANNEL).statusCode()).isEqualTo(404);

    // The HTTP meters record as each answer ends, which may come just after the client has read it.
    HttpResponse<Buffer> scrape = Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> server.management("/metrics"), answer -> answer.statusCode() != 200
            || requestsCounted(new PrometheusText(answer.bodyAsString())) == REQUESTS_SENT);
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.getHeader("Content-Type")).startsWith("text/plain");
    exposition = scrape.bodyAsString();
    metrics = new PrometheusText(exposition);
  }

  private static double requestsCounted(PrometheusText scrape) {
    return scrape.samples().entrySet().stream()
        .filter(sample -> sample.getKey().startsWith("token_server_http_requests_total{"))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void ok(String path) {
    HttpResponse<Buffer> response = server.get(path);
    assertThat(response.statusCode()).as(path + " " + response.bodyAsString()).isEqualTo(200);
  }

  @Test
  void tokensIssuedCountsEachKind() {
    assertThat(metrics.value("token_server_tokens_issued_total{kind=\"rtc\",project=\"default\"}")).isEqualTo(4.0);
    assertThat(metrics.value("token_server_tokens_issued_total{kind=\"rtm\",project=\"default\"}")).isEqualTo(3.0);
    assertThat(metrics.value("token_server_tokens_issued_total{kind=\"chat\",project=\"default\"}")).isEqualTo(2.0);
  }

  @Test
  void tokenErrorsCountEachReason() {
    assertThat(metrics.value("token_server_token_errors_total{reason=\"role\"}")).isEqualTo(2.0);
    assertThat(metrics.value("token_server_token_errors_total{reason=\"expiry\"}")).isEqualTo(1.0);
    assertThat(metrics.value("token_server_token_errors_total{reason=\"body\"}")).isEqualTo(1.0);
    assertThat(metrics.samples().keySet().stream().filter(series -> series.startsWith("token_server_token_errors_total")))
        .hasSize(3);
  }

  @Test
  void signingTimeIsAHistogramOfEverySigning() {
    assertThat(metrics.value("token_server_signing_duration_seconds_count")).isEqualTo(8.0);
    assertThat(metrics.value("token_server_signing_duration_seconds_bucket{le=\"2.5E-4\"}")).isNotNull();
    assertThat(metrics.value("token_server_signing_duration_seconds_bucket{le=\"+Inf\"}")).isEqualTo(8.0);
    assertThat(metrics.value("token_server_signing_pending")).isEqualTo(0.0);
    assertThat(metrics.value("token_server_signing_rejected_total")).isEqualTo(0.0);
  }

  @Test
  void httpLatencyHistogramIsLabelledByRouteTemplateWithSubMillisecondBuckets() {
    String series = "token_server_http_request_duration_seconds_bucket{code=\"200\",method=\"GET\"," + RTC_ROUTE;
    for (String le : new String[] {"2.5E-4", "5.0E-4", "0.001", "0.002", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25"}) {
      assertThat(metrics.value(series + ",le=\"" + le + "\"}")).as("bucket le=" + le).isNotNull();
    }
    assertThat(metrics.value(series + ",le=\"+Inf\"}")).isEqualTo(3.0);
    assertThat(metrics.value("token_server_http_requests_total{code=\"400\",method=\"GET\"," + RTC_ROUTE + "}"))
        .isEqualTo(2.0);
  }

  @Test
  void histogramsAreOnlyOnLatencyMeters() {
    assertThat(exposition.lines().filter(line -> line.contains("_bucket{")))
        .allMatch(line -> line.startsWith("token_server_http_request_duration_seconds_bucket{")
            || line.startsWith("token_server_signing_duration_seconds_bucket{"));
  }

  @Test
  void noChannelNameOrUidBecomesALabelValue() {
    assertThat(exposition).doesNotContain(SECRET_CHANNEL).doesNotContain(SECRET_UID).doesNotContain("someone");
  }

  @Test
  void jvmAndProcessMetersArePublished() {
    assertThat(exposition).contains("jvm_memory_used_bytes{", "jvm_threads_live_threads ", "process_cpu_usage ",
        "process_files_open_files ", "process_uptime_seconds ", "jvm_classes_loaded_classes ");
  }

  @Test
  void httpMetricsCanBeSwitchedOffWhileTokenMetersStay() {
    try (RunningServer quiet = RunningServer.start(io.tokenserver.config.ServerConfig.from(
        io.tokenserver.support.TestConfig.values().put("HTTP_METRICS", false)))) {
      assertThat(quiet.get("/rtm/a").statusCode()).isEqualTo(200);
      String scrape = quiet.management("/metrics").bodyAsString();
      assertThat(scrape).doesNotContain("token_server_http_").contains("token_server_tokens_issued_total{kind=\"rtm\",project=\"default\"} 1.0");
    }
  }
}
