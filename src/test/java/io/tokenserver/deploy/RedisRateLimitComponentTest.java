package io.tokenserver.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.tokenserver.support.ExternalTool;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** k8s/components/redis-rate-limit, rendered by {@code kubectl kustomize} into an overlay that uses it. */
class RedisRateLimitComponentTest {

  @Test
  void theComponentSwitchesTheProductionDeploymentToRedisWithTheUrlFromASecret() throws Exception {
    Path kubectl = ExternalTool.require("kubectl", "kubectl");
    // kustomize refuses absolute paths to bases: the overlay lives inside the project and points up.
    Path overlay = Files.createDirectories(Path.of("target/redis-rate-limit-overlay"));
    Files.writeString(overlay.resolve("kustomization.yaml"), """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - ../../k8s/overlays/production
        components:
          - ../../k8s/components/redis-rate-limit
        """);

    Container container = tokenServer(render(kubectl, overlay));
    Map<String, EnvVar> env = container.getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, Function.identity()));

    assertThat(env.get("RATE_LIMIT_BACKEND").getValue()).isEqualTo("redis");
    EnvVar url = env.get("REDIS_URL");
    assertThat(url.getValue()).as("never a literal URL: it may carry a password").isNull();
    assertThat(url.getValueFrom().getSecretKeyRef().getName()).isEqualTo("token-server-redis");
    assertThat(url.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("REDIS_URL");
    assertThat(env).as("the base's variables are kept").containsKeys("APP_ID_FILE", "APP_CERTIFICATE_FILE");
    assertThat(container.getEnvFrom()).as("the ConfigMap still applies").isNotEmpty();
  }

  private static String render(Path kubectl, Path overlay) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(kubectl.toString(), "kustomize", overlay.toString())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("kubectl kustomize says:\n" + output).isZero();
    return output;
  }

  private static Container tokenServer(String rendered) {
    KubernetesSerialization serialization = new KubernetesSerialization();
    List<Deployment> deployments = Arrays.stream(rendered.split("(?m)^---$"))
        .filter(document -> !document.isBlank())
        .map(document -> (HasMetadata) serialization.unmarshal(document))
        .filter(Deployment.class::isInstance)
        .map(Deployment.class::cast)
        .toList();
    assertThat(deployments).hasSize(1);
    List<Container> containers = deployments.get(0).getSpec().getTemplate().getSpec().getContainers();
    return containers.stream().filter(c -> c.getName().equals("token-server")).findFirst().orElseThrow();
  }
}
