package io.tokenserver.deploy;

import io.tokenserver.support.ExternalTool;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alert rules (ops/prometheus/alerts.yml) pass their promtool unit tests, and Kubernetes gets the same
 * rules and the same dashboard as compose (k8s/monitoring).
 */
class AlertRulesTest {

  private static final Path RULES = Path.of("ops/prometheus/alerts.yml");
  private static final YAMLMapper YAML = new YAMLMapper();

  @Test
  void everyAlertPassesItsPromtoolUnitTests() throws Exception {
    Path promtool = ExternalTool.require("promtool", "prometheus");

    String output = run(Path.of("ops/prometheus"), promtool.toString(), "test", "rules", "alerts.test.yml");

    assertThat(output).contains("SUCCESS");
    // every rule has a test case naming it
    String tests = Files.readString(Path.of("ops/prometheus/alerts.test.yml"));
    assertThat(alertNames()).allSatisfy(alert -> assertThat(tests).contains("alertname: " + alert));
  }

  @Test
  void rulesCoverSaturationLatencyErrorsCredentialsTargetsAndJwks() throws Exception {
    assertThat(alertNames()).containsExactlyInAnyOrder("TokenServerSaturated", "TokenServerLatencyP99High",
        "TokenServerErrorRatioHigh", "TokenServerCredentialReloadFailing", "TokenServerDown",
        "TokenServerJwksStale");
  }

  @Test
  void composePrometheusConfigIsValidAndLoadsTheRules() throws Exception {
    Path promtool = ExternalTool.require("promtool", "prometheus");

    String output = run(Path.of("."), promtool.toString(), "check", "config", "ops/prometheus/prometheus.yml");

    assertThat(output).contains("SUCCESS: 1 rule files found", "SUCCESS: 6 rules found");
  }

  @Test
  void prometheusRuleCarriesTheSameGroupsAsTheRulesFile() throws Exception {
    JsonNode rule = YAML.readTree(Files.readString(Path.of("k8s/monitoring/prometheusrule.yaml")));

    assertThat(rule.path("apiVersion").asString()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(rule.path("kind").asString()).isEqualTo("PrometheusRule");
    assertThat(rule.path("spec").path("groups")).isEqualTo(YAML.readTree(Files.readString(RULES)).path("groups"));
  }

  @Test
  void grafanaSidecarConfigMapIsGeneratedFromTheDashboardFile() throws Exception {
    JsonNode kustomization = YAML.readTree(Files.readString(Path.of("k8s/monitoring/kustomization.yaml")));
    JsonNode generator = kustomization.path("configMapGenerator").get(0);

    assertThat(generator.path("options").path("labels").path("grafana_dashboard").asString()).isEqualTo("1");
    assertThat(generator.path("files").get(0).asString()).isEqualTo("token-server-dashboard.json");
    // kustomize reads no file outside k8s/monitoring: the copy there must be the dashboard itself
    assertThat(Files.readString(Path.of("k8s/monitoring/token-server-dashboard.json")))
        .isEqualTo(Files.readString(Path.of("ops/grafana/dashboards/token-server.json")));
  }

  @Test
  void kustomizeRendersTheRuleAndTheLabelledDashboardConfigMap() throws Exception {
    Assumptions.assumeTrue(onPath("kubectl"), "kubectl is not installed; the file checks above still run");

    List<JsonNode> objects = new ArrayList<>();
    YAML.readValues(YAML.createParser(run(Path.of("."), "kubectl", "kustomize", "k8s/monitoring")), JsonNode.class)
        .forEachRemaining(objects::add);

    assertThat(objects).extracting(object -> object.path("kind").asString())
        .containsExactlyInAnyOrder("PrometheusRule", "ConfigMap");
    JsonNode configMap = objects.stream().filter(object -> object.path("kind").asString().equals("ConfigMap"))
        .findFirst().orElseThrow();
    assertThat(configMap.path("metadata").path("labels").path("grafana_dashboard").asString()).isEqualTo("1");
    assertThat(configMap.path("data").path("token-server-dashboard.json").asString())
        .isEqualTo(Files.readString(Path.of("ops/grafana/dashboards/token-server.json")));
  }

  private static boolean onPath(String tool) {
    return java.util.Arrays.stream(System.getenv("PATH").split(java.io.File.pathSeparator))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
  }

  private static List<String> alertNames() throws Exception {
    List<String> names = new ArrayList<>();
    for (JsonNode group : YAML.readTree(Files.readString(RULES)).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        names.add(rule.path("alert").asString());
      }
    }
    return names;
  }

  private static String run(Path dir, String... command) throws Exception {
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
    return output;
  }
}
