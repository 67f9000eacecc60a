package io.tokenserver.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** k8s/ renders with kubectl kustomize, including the kustomize features a user adds in an overlay of their own. */
class KustomizeRenderingTest {

  @Test
  void baseListsEveryManifestInItsDirectoryAndNotTheExampleSecret() throws IOException {
    JsonNode kustomization = Kustomize.readTree(Path.of("k8s/base/kustomization.yaml"));
    List<String> listed = new ArrayList<>();
    kustomization.path("resources").forEach(resource -> listed.add(resource.asString()));
    List<String> files;
    try (Stream<Path> dir = Files.list(Path.of("k8s/base"))) {
      files = dir.map(path -> path.getFileName().toString())
          .filter(name -> name.endsWith(".yaml") && !name.equals("kustomization.yaml")).toList();
    }

    // A manifest left out of resources would never be applied.
    assertThat(listed).containsExactlyInAnyOrderElementsOf(files);
    assertThat(Kustomize.readTree(Path.of("k8s/kustomization.yaml")).path("resources").toString())
        .doesNotContain("secret");
  }

  @Test
  void aUsersOverlayWithLabelsAndAGeneratedConfigMapRendersAndParsesStrictly() throws IOException {
    Path overlay = Files.createDirectories(Path.of("target/kustomize-user-overlay"));
    Files.writeString(overlay.resolve("kustomization.yaml"), """
        resources:
          - ../../k8s/base
        labels:
          - pairs:
              team: payments
        configMapGenerator:
          - name: extra-settings
            literals:
              - ACCESS_LOG=true
        """);

    List<ObjectNode> rendered = Kustomize.build(overlay);

    List<Object> objects = rendered.stream().map(StrictKubernetesParser::parse).toList();
    assertThat(rendered).allSatisfy(object ->
        assertThat(object.path("metadata").path("labels").path("team").asString()).isEqualTo("payments"));
    assertThat(objects).filteredOn(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
        .anySatisfy(map -> {
          assertThat(map.getMetadata().getName()).startsWith("extra-settings-");
          assertThat(map.getData()).containsEntry("ACCESS_LOG", "true");
        });
  }
}
