package io.tokenserver.deploy;

import io.tokenserver.support.ExternalTool;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with the real {@code kubectl kustomize}, so every kustomize feature a user adds
 * (labels, generators, components, patches) renders as it will on the cluster. Without kubectl the test is
 * skipped with a hint ({@link ExternalTool}).
 */
final class Kustomize {

  static final YAMLMapper YAML = YAMLMapper.builder().build();

  private Kustomize() {
  }

  /** The objects that {@code kubectl kustomize dir} prints. */
  static List<ObjectNode> build(Path dir) {
    Path kubectl = ExternalTool.requireWithHint("kubectl", "install kubectl, which bundles kustomize");
    try {
      Path output = Files.createTempFile("kustomize", ".yaml");
      Path errors = Files.createTempFile("kustomize", ".err");
      try {
        Process process = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
            .redirectOutput(output.toFile()).redirectError(errors.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError("kubectl kustomize " + dir + " did not finish in 60 s");
        }
        if (process.exitValue() != 0) {
          throw new IllegalArgumentException("kubectl kustomize " + dir + " failed: " + Files.readString(errors));
        }
        return readDocuments(output);
      } finally {
        Files.deleteIfExists(output);
        Files.deleteIfExists(errors);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while rendering " + dir, e);
    }
  }

  /** Every non-empty YAML document in {@code file}, as objects. */
  static List<ObjectNode> readDocuments(Path file) {
    try {
      List<ObjectNode> documents = new ArrayList<>();
      for (JsonNode document : YAML.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(file)).readAll()) {
        if (document instanceof ObjectNode object) {
          documents.add(object);
        }
      }
      return documents;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode readTree(Path file) {
    try {
      return YAML.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
