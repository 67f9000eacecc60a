package io.tokenserver.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.zjsonpatch.JsonPatch;
import io.tokenserver.deploy.Manifests.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every manifest is well-formed for the Kubernetes API, and the strict parser really rejects what it must. */
class ManifestSchemaTest {

  @ParameterizedTest
  @EnumSource(Target.class)
  void everyRenderedObjectParsesStrictlyWithTheKubernetesModel(Target target) {
    Manifests manifests = Manifests.of(target);

    assertThat(manifests.objects).hasSameSizeAs(manifests.raw);
    List<Class<?>> kinds = List.of(ConfigMap.class, Deployment.class, Service.class, HorizontalPodAutoscaler.class,
        PodDisruptionBudget.class, NetworkPolicy.class, ServiceMonitor.class);
    kinds.forEach(manifests::only);
    assertThat(manifests.objects).hasSize(target == Target.PRODUCTION ? kinds.size() + 1 : kinds.size());
    if (target == Target.PRODUCTION) {
      manifests.only(Namespace.class);
    }
  }

  @Test
  void exampleSecretParsesStrictly() {
    assertThat(Manifests.exampleSecret().getStringData()).isNotEmpty();
  }

  /** Mistakes the API server rejects (or silently drops): each must fail parsing, naming the problem. */
  static Stream<Arguments> mistakes() {
    return Stream.of(
        arguments("misspelt probe field", "Deployment",
            "[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/livenessProbe/httpGet/paht\",\"value\":\"/x\"}]",
            "paht"),
        arguments("misspelt spec field", "Deployment",
            "[{\"op\":\"add\",\"path\":\"/spec/replica\",\"value\":3}]", "replica"),
        arguments("word for a number", "Deployment",
            "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":\"three\"}]", "three"),
        arguments("quoted number", "Deployment",
            "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":\"3\"}]", "replicas"),
        arguments("quoted boolean", "Deployment",
            "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem\","
                + "\"value\":\"true\"}]", "readOnlyRootFilesystem"),
        arguments("removed Deployment apiVersion", "Deployment",
            "[{\"op\":\"replace\",\"path\":\"/apiVersion\",\"value\":\"extensions/v1beta1\"}]", "extensions/v1beta1"),
        arguments("old HPA apiVersion without behavior", "HorizontalPodAutoscaler",
            "[{\"op\":\"replace\",\"path\":\"/apiVersion\",\"value\":\"autoscaling/v1\"}]", "autoscaling/v1"),
        arguments("removed PDB apiVersion", "PodDisruptionBudget",
            "[{\"op\":\"replace\",\"path\":\"/apiVersion\",\"value\":\"policy/v1beta1\"}]", "policy/v1beta1"),
        arguments("misspelt ServiceMonitor endpoint field", "ServiceMonitor",
            "[{\"op\":\"add\",\"path\":\"/spec/endpoints/0/prot\",\"value\":\"management\"}]", "prot"),
        arguments("misspelt ServiceMonitor metadata field", "ServiceMonitor",
            "[{\"op\":\"add\",\"path\":\"/metadata/label\",\"value\":{}}]", "label"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mistakes")
  void strictParsingRejectsAManifestTheApiServerWouldNotTake(String mistake, String kind, String patch,
      String named) {
    ObjectNode manifest = Manifests.of(Target.BASE).raw.stream()
        .filter(object -> object.path("kind").asString().equals(kind))
        .findFirst().orElseThrow();
    JsonNode broken = JsonPatch.apply(Kustomize.YAML.readTree(patch), manifest.deepCopy());

    StrictKubernetesParser.parse(manifest);
    assertThatThrownBy(() -> StrictKubernetesParser.parse(broken))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(named);
  }
}
