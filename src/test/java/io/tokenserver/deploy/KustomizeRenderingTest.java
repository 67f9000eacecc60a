package io.tokenserver.deploy;

import io.tokenserver.deploy.Manifests.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Java renderer used by the other deploy tests builds exactly what kustomize builds. */
class KustomizeRenderingTest {

  @ParameterizedTest
  @EnumSource(Target.class)
  void rendersTheSameObjectsAsKubectlKustomize(Target target) throws Exception {
    assumeTrue(onPath("kubectl"), "kubectl is not installed; the other deploy tests still run on the Java renderer");

    List<ObjectNode> kubectl = kubectlKustomize(target.dir);

    assertThat(Kustomize.build(target.dir)).containsExactlyInAnyOrderElementsOf(kubectl);
  }

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
  void refusesAKustomizationFieldItDoesNotImplement(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("kustomization.yaml"), "resources: []\ncommonLabels:\n  team: a\n");

    assertThatThrownBy(() -> Kustomize.build(dir)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("commonLabels");
  }

  @Test
  void refusesAPatchThatMatchesNothing(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("kustomization.yaml"), """
        resources: [cm.yaml]
        patches:
          - path: patch.yaml
            target: {kind: ConfigMap, name: other}
        """);
    Files.writeString(dir.resolve("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n");
    Files.writeString(dir.resolve("patch.yaml"), "- op: add\n  path: /data\n  value: {}\n");

    assertThatThrownBy(() -> Kustomize.build(dir)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("matches no object");
  }

  private static List<ObjectNode> kubectlKustomize(Path dir) throws Exception {
    Path output = Files.createTempFile("kustomize", ".yaml");
    Path errors = Files.createTempFile("kustomize", ".err");
    try {
      Process process = new ProcessBuilder("kubectl", "kustomize", dir.toString())
          .redirectOutput(output.toFile()).redirectError(errors.toFile()).start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("kubectl kustomize " + dir + " did not finish in 60 s");
      }
      assertThat(process.exitValue()).as("kubectl kustomize %s: %s", dir, Files.readString(errors)).isZero();
      return Kustomize.readDocuments(output);
    } finally {
      Files.deleteIfExists(output);
      Files.deleteIfExists(errors);
    }
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    return path != null && Stream.of(path.split(File.pathSeparator))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
  }
}
