package io.tokenserver.deploy;

import io.tokenserver.support.ExternalTool;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** compose.yaml is a valid Compose file that runs the server as Kubernetes does, watched by Prometheus. */
class ComposeFileTest {

  @Test
  void composeFileValidatesAndRunsTheServerReadOnlyInDemoModeUnlessCredentialsAreGiven() throws Exception {
    Path compose = ExternalTool.require("docker-compose", "docker-compose");
    Process process = new ProcessBuilder(compose.toString(), "--file", "compose.yaml", "config")
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();

    // the resolved file, as docker-compose understood it
    JsonNode services = new YAMLMapper().readTree(output).path("services");
    assertThat(services.propertyNames()).containsExactlyInAnyOrder("server", "prometheus", "grafana");
    JsonNode server = services.path("server");
    assertThat(server.path("read_only").asBoolean()).isTrue();
    assertThat(server.path("tmpfs").get(0).asString()).isEqualTo("/tmp");
    assertThat(server.path("environment").path("DEMO").asString()).isEqualTo("true");
    assertThat(server.path("environment").path("APP_ID").asString()).as("empty unless set in the shell").isEmpty();
  }

  @Test
  void composePrometheusScrapesTheServersManagementPort() throws Exception {
    JsonNode config = new YAMLMapper().readTree(Files.readString(Path.of("ops/prometheus/prometheus.yml")));
    int managementPort = new io.vertx.core.json.JsonObject(Files.readString(Path.of("conf/config.json")))
        .getInteger("MANAGEMENT_PORT");

    assertThat(config.path("scrape_configs").get(0).path("static_configs").get(0).path("targets").get(0).asString())
        .isEqualTo("server:" + managementPort);
    assertThat(config.path("scrape_configs").get(0).path("job_name").asString())
        .as("the job the TokenServerDown alert watches").isEqualTo("token-server");
  }
}
