package io.tokenserver.metrics;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.credentials.Projects;
import io.tokenserver.support.ExternalTool;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.PrometheusServer;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.tokenserver.token.AccessToken2Minter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every query of the Grafana dashboard (ops/grafana/dashboards/token-server.json) runs against a real
 * Prometheus scraping the real server after mixed traffic: each must parse and return data.
 */
class DashboardQueriesTest {

  static final Path DASHBOARD = Path.of("ops/grafana/dashboards/token-server.json");
  /** Panels whose series exist only with a feature this server does not turn on, and why. */
  private static final Map<String, String> NEEDS_A_FEATURE = Map.of(
      "JWKS key set age", "token_server_jwks_age_seconds exists only with AUTH_MODE=jwt and JWT_JWKS",
      "Rate-limit backend up", "token_server_rate_limit_backend_up exists only with the Redis rate-limit backend");

  @Test
  void everyPanelQueryReturnsDataFromARealPrometheus(@TempDir Path dir) throws Exception {
    ExternalTool.require("prometheus", "prometheus");
    Map<String, String> queries = queries();
    assertThat(NEEDS_A_FEATURE.keySet()).as("excluded panels exist").allMatch(title ->
        queries.keySet().stream().anyMatch(key -> key.startsWith(title + ": ")));

    // A tiny rate limit (for 429s and the caller-gate meters) and credential files (for the reload meters).
    Path appId = Files.writeString(dir.resolve("app-id"), FakeCredentials.APP_ID + "\n");
    Path cert = Files.writeString(dir.resolve("app-certificate"), FakeCredentials.APP_CERTIFICATE + "\n");
    ServerConfig config = ServerConfig.from(TestConfig.values().put("APP_ID", "").put("APP_CERTIFICATE", "")
        .put("APP_ID_FILE", appId.toString()).put("APP_CERTIFICATE_FILE", cert.toString())
        .put("RATE_LIMIT_PER_SECOND", 1).put("RATE_LIMIT_BURST", 12));
    Projects projects = Projects.of(config.projects());
    try (RunningServer server = RunningServer.start(config, projects)) {
      server.server.watchCredentials(projects);
      sendMixedTraffic(server);
      System.gc(); // the GC pause meters appear with the first collection
      try (PrometheusServer prometheus = PrometheusServer.scraping(server.managementPort(), dir)) {
        List<String> empty = new ArrayList<>();
        for (Map.Entry<String, String> query : queries.entrySet()) {
          String title = query.getKey().substring(0, query.getKey().indexOf(": "));
          if (!NEEDS_A_FEATURE.containsKey(title) && prometheus.query(query.getValue()).isEmpty()) {
            empty.add(query.getKey());
          }
        }
        assertThat(empty).as("panel queries without data").isEmpty();
      }
    }
  }

  private static void sendMixedTraffic(RunningServer server) {
    List<Integer> codes = new ArrayList<>();
    for (String path : List.of("/rtc/dash/publisher/uid/1", "/rtm/dash-user", "/chat/account/dash-user",
        "/rtc/dash/king/uid/1")) {
      codes.add(server.get(path).statusCode());
    }
    assertThat(codes).containsExactly(200, 200, 200, 400);
    // over the burst of 12: the rest are refused with 429
    for (int i = 0; i < 20; i++) {
      codes.add(server.get("/rtc/dash/subscriber/uid/" + i).statusCode());
    }
    assertThat(codes).contains(429);
  }

  /** "panel title: refId" → PromQL with Grafana's interval variables filled in, for every panel target. */
  static Map<String, String> queries() throws Exception {
    Map<String, String> queries = new LinkedHashMap<>();
    JsonArray panels = new JsonObject(Files.readString(DASHBOARD)).getJsonArray("panels");
    for (int i = 0; i < panels.size(); i++) {
      JsonObject panel = panels.getJsonObject(i);
      JsonArray targets = panel.getJsonArray("targets");
      assertThat(targets).as(panel.getString("title")).isNotEmpty();
      for (int t = 0; t < targets.size(); t++) {
        JsonObject target = targets.getJsonObject(t);
        queries.put(panel.getString("title") + ": " + target.getString("refId"), target.getString("expr")
            .replace("$__rate_interval", "1m").replace("$__interval", "15s").replace("$__range", "1h"));
      }
    }
    return queries;
  }

  /**
   * Queries until the result is non-empty or the deadline passes; a query Prometheus cannot parse fails at
   * once.
   */
}
