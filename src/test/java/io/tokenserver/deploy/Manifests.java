package io.tokenserver.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.vertx.core.json.JsonObject;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** One rendered kustomization of {@code k8s/}, every object parsed strictly, with typed accessors. */
final class Manifests {

  /** The kustomizations a user applies. */
  enum Target {
    BASE("k8s"),
    PRODUCTION("k8s/overlays/production");

    final Path dir;

    Target(String dir) {
      this.dir = Path.of(dir);
    }
  }

  static final Path EXAMPLE_SECRET = Path.of("k8s/secret.example.yaml");
  static final String CONTAINER = "token-server";

  private static final Map<Target, Manifests> RENDERED = new ConcurrentHashMap<>();

  final List<ObjectNode> raw;
  final List<Object> objects;

  private Manifests(List<ObjectNode> raw) {
    this.raw = raw;
    this.objects = raw.stream().map(StrictKubernetesParser::parse).toList();
  }

  static Manifests of(Target target) {
    return RENDERED.computeIfAbsent(target, t -> new Manifests(Kustomize.build(t.dir)));
  }

  /** The one object of {@code type}; fails when there is none or more than one. */
  <T> T only(Class<T> type) {
    List<T> matching = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(matching).as("objects of kind %s", type.getSimpleName()).hasSize(1);
    return matching.get(0);
  }

  Deployment deployment() {
    return only(Deployment.class);
  }

  Container container() {
    List<Container> containers = deployment().getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers).extracting(Container::getName).containsExactly(CONTAINER);
    return containers.get(0);
  }

  Map<String, String> podLabels() {
    return deployment().getSpec().getTemplate().getMetadata().getLabels();
  }

  Service service() {
    return only(Service.class);
  }

  ConfigMap configMap() {
    return only(ConfigMap.class);
  }

  HorizontalPodAutoscaler hpa() {
    return only(HorizontalPodAutoscaler.class);
  }

  PodDisruptionBudget pdb() {
    return only(PodDisruptionBudget.class);
  }

  NetworkPolicy networkPolicy() {
    return only(NetworkPolicy.class);
  }

  ServiceMonitor serviceMonitor() {
    return only(ServiceMonitor.class);
  }

  /** The container port called {@code name}, e.g. {@code http}. */
  int containerPort(String name) {
    return container().getPorts().stream()
        .filter(port -> name.equals(port.getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + name))
        .getContainerPort();
  }

  static Secret exampleSecret() {
    List<ObjectNode> documents = Kustomize.readDocuments(EXAMPLE_SECRET);
    assertThat(documents).hasSize(1);
    return StrictKubernetesParser.parse(documents.get(0), Secret.class);
  }

  /** The shipped defaults, {@code conf/config.json}. */
  static JsonObject defaults() {
    try {
      return new JsonObject(Files.readString(Path.of("conf/config.json")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True when {@code selector} (matchLabels only, as k8s/ uses) selects objects labelled {@code labels}. */
  static boolean selects(LabelSelector selector, Map<String, String> labels) {
    assertThat(selector.getMatchExpressions()).as("matchExpressions (not used in k8s/)").isNullOrEmpty();
    assertThat(selector.getMatchLabels()).as("matchLabels").isNotEmpty();
    return labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
  }
}
