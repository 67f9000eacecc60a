package io.tokenserver.deploy;

import io.fabric8.zjsonpatch.JsonPatch;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds a kustomization the way {@code kubectl kustomize} does, for the fields {@code k8s/} uses:
 * {@code resources}, {@code namespace}, {@code images}, {@code replicas} and JSON 6902 {@code patches}.
 * Any other field fails the build, so this renderer can never silently differ from kustomize
 * ({@link KustomizeRenderingTest} also compares it with kubectl where kubectl is installed).
 */
final class Kustomize {

  static final YAMLMapper YAML = YAMLMapper.builder().build();

  private static final Set<String> SUPPORTED_FIELDS =
      Set.of("apiVersion", "kind", "resources", "namespace", "images", "replicas", "patches");
  private static final Set<String> CLUSTER_SCOPED_KINDS = Set.of("Namespace", "ClusterRole",
      "ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass", "StorageClass");
  private static final Set<String> SCALABLE_KINDS = Set.of("Deployment", "StatefulSet", "ReplicaSet");

  private Kustomize() {
  }

  /** The objects that {@code kubectl kustomize dir} prints, in resource order. */
  static List<ObjectNode> build(Path dir) {
    JsonNode kustomization = readTree(dir.resolve("kustomization.yaml"));
    Set<String> unsupported = new HashSet<>(kustomization.propertyNames());
    unsupported.removeAll(SUPPORTED_FIELDS);
    if (!unsupported.isEmpty()) {
      throw new IllegalArgumentException(dir + "/kustomization.yaml uses " + unsupported
          + ", which this renderer does not implement: implement it here or drop it");
    }
    List<ObjectNode> objects = new ArrayList<>();
    for (JsonNode resource : kustomization.path("resources")) {
      Path path = dir.resolve(resource.asString()).normalize();
      objects.addAll(Files.isDirectory(path) ? build(path) : readDocuments(path));
    }
    for (JsonNode patch : kustomization.path("patches")) {
      objects = applyPatch(dir, patch, objects);
    }
    if (kustomization.has("namespace")) {
      String namespace = kustomization.get("namespace").asString();
      objects.stream()
          .filter(object -> !CLUSTER_SCOPED_KINDS.contains(object.path("kind").asString()))
          .forEach(object -> ((ObjectNode) object.get("metadata")).put("namespace", namespace));
    }
    for (JsonNode replicas : kustomization.path("replicas")) {
      objects.stream()
          .filter(object -> SCALABLE_KINDS.contains(object.path("kind").asString()))
          .filter(object -> object.path("metadata").path("name").asString().equals(replicas.get("name").asString()))
          .forEach(object -> ((ObjectNode) object.get("spec")).put("replicas", replicas.get("count").asInt()));
    }
    for (JsonNode image : kustomization.path("images")) {
      objects.forEach(object -> setImage(object, image));
    }
    return objects;
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

  /** A {@code patches} entry: {@code path} to a JSON 6902 operation list and a {@code target} selector. */
  private static List<ObjectNode> applyPatch(Path dir, JsonNode patch, List<ObjectNode> objects) {
    if (!patch.has("path") || !patch.has("target")) {
      throw new IllegalArgumentException("only patches with path and target are implemented: " + patch);
    }
    JsonNode operations = readTree(dir.resolve(patch.get("path").asString()));
    if (!(operations instanceof ArrayNode)) {
      throw new IllegalArgumentException(patch.get("path").asString()
          + " is not a JSON 6902 operation list (strategic merge patches are not implemented)");
    }
    JsonNode target = patch.get("target");
    List<ObjectNode> patched = new ArrayList<>();
    int matches = 0;
    for (ObjectNode object : objects) {
      if (matches(target, object)) {
        matches++;
        patched.add((ObjectNode) JsonPatch.apply(operations, object));
      } else {
        patched.add(object);
      }
    }
    if (matches == 0) {
      // kustomize accepts a patch that matches nothing; for us it is always a mistake.
      throw new IllegalArgumentException("patch " + patch + " matches no object");
    }
    return patched;
  }

  private static boolean matches(JsonNode target, ObjectNode object) {
    String apiVersion = object.path("apiVersion").asString();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    for (String field : target.propertyNames()) {
      String wanted = target.get(field).asString();
      String actual = switch (field) {
        case "group" -> group;
        case "version" -> version;
        case "kind" -> object.path("kind").asString();
        case "name" -> object.path("metadata").path("name").asString();
        default -> throw new IllegalArgumentException("patch target field " + field + " is not implemented");
      };
      if (!wanted.equals(actual)) {
        return false;
      }
    }
    return true;
  }

  /** The {@code images} transformer: containers whose image name equals {@code name} get the new name/tag/digest. */
  private static void setImage(ObjectNode object, JsonNode image) {
    JsonNode podSpec = object.path("spec").path("template").path("spec");
    for (String list : List.of("initContainers", "containers")) {
      for (JsonNode container : podSpec.path(list)) {
        String current = container.path("image").asString();
        String name = current.replaceFirst("@.*$", "").replaceFirst(":[^:/]*$", "");
        if (!name.equals(image.get("name").asString())) {
          continue;
        }
        String newName = image.has("newName") ? image.get("newName").asString() : name;
        String reference = image.has("digest") ? newName + "@" + image.get("digest").asString()
            : image.has("newTag") ? newName + ":" + image.get("newTag").asString()
            : newName + current.substring(name.length());
        ((ObjectNode) container).put("image", reference);
      }
    }
  }
}
