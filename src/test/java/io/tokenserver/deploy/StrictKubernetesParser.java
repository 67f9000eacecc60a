package io.tokenserver.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;
import tools.jackson.databind.json.JsonMapper;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parses manifests with the fabric8 Kubernetes model as strictly as the API server decodes them:
 * an unknown field, a value of the wrong type (a quoted number included) or an apiVersion other than
 * the current stable one for its kind is an {@link IllegalArgumentException} naming the problem.
 */
final class StrictKubernetesParser {

  /** The one apiVersion accepted per kind: the stable version current Kubernetes serves. */
  private static final Map<String, Class<?>> STABLE_MODEL = Map.of(
      "v1/Namespace", Namespace.class,
      "v1/ConfigMap", ConfigMap.class,
      "v1/Secret", Secret.class,
      "v1/Service", Service.class,
      "apps/v1/Deployment", Deployment.class,
      "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
      "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
      "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
      "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class);

  // fabric8's registry of model classes: says which class an apiVersion/kind pair belongs to.
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  // Decodes into the model classes like the API server: no scalar coercion, unknown record fields failing
  // (fabric8 classes keep unknown fields aside instead; collectUnknownFields finds them).
  private static final JsonMapper MAPPER = strict(JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));

  private StrictKubernetesParser() {
  }

  /** No string-to-number or string-to-boolean coercion: the API server rejects {@code replicas: "3"}. */
  private static JsonMapper strict(JsonMapper.Builder builder) {
    for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
      builder.withCoercionConfig(type, config -> config.setCoercion(CoercionInputShape.String, CoercionAction.Fail));
    }
    return builder.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS).build();
  }

  /** The typed object for {@code manifest}; fails on anything the API server would reject as malformed. */
  static Object parse(JsonNode manifest) {
    String key = manifest.path("apiVersion").asString() + "/" + manifest.path("kind").asString();
    Class<?> model = STABLE_MODEL.get(key);
    if (model == null) {
      throw new IllegalArgumentException(describe(manifest) + ": apiVersion/kind " + key
          + " is not a stable one this project deploys " + STABLE_MODEL.keySet());
    }
    // ServiceMonitor is a CRD outside the fabric8 model: ServiceMonitor.java is a typed subset of its schema.
    if (model != ServiceMonitor.class) {
      Class<?> registered = SERIALIZATION.getRegisteredKubernetesResource(
          manifest.path("apiVersion").asString(), manifest.path("kind").asString());
      if (registered != model) {
        throw new IllegalArgumentException(describe(manifest) + ": fabric8 maps " + key + " to " + registered);
      }
    }
    Object parsed;
    try {
      parsed = MAPPER.treeToValue(manifest, model);
    } catch (RuntimeException e) {
      Throwable cause = e;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      throw new IllegalArgumentException(describe(manifest) + ": " + cause.getMessage(), e);
    }
    List<String> unknown = new ArrayList<>();
    collectUnknownFields(parsed, manifest.path("kind").asString(), unknown);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(describe(manifest) + " has fields the Kubernetes API does not know: "
          + unknown);
    }
    return parsed;
  }

  static <T> T parse(JsonNode manifest, Class<T> type) {
    return type.cast(parse(manifest));
  }

  private static String describe(JsonNode manifest) {
    return manifest.path("kind").asString() + " " + manifest.path("metadata").path("name").asString();
  }

  /**
   * fabric8 keeps fields it does not know in each object's {@code additionalProperties} instead of
   * failing; any non-empty one is a field the API server would reject.
   */
  private static void collectUnknownFields(Object node, String path, List<String> unknown) {
    if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        collectUnknownFields(list.get(i), path + "[" + i + "]", unknown);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((key, value) -> collectUnknownFields(value, path + "." + key, unknown));
      return;
    }
    if (node == null || !(node.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")
        || node.getClass().isRecord())) {
      return;
    }
    for (Method getter : node.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
          || getter.getDeclaringClass() == Object.class || getter.isDefault()
          || getter.getReturnType().isPrimitive() || getter.getReturnType() == String.class) {
        continue;
      }
      boolean beanGetter = getter.getName().startsWith("get");
      boolean recordAccessor = node.getClass().isRecord() && isRecordComponent(node.getClass(), getter.getName());
      if (!beanGetter && !recordAccessor) {
        continue;
      }
      Object value = invoke(getter, node);
      if (getter.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          unknown.add(path + ": " + extra.keySet());
        }
      } else {
        collectUnknownFields(value, path + "." + propertyName(getter.getName()), unknown);
      }
    }
  }

  private static boolean isRecordComponent(Class<?> type, String name) {
    for (var component : type.getRecordComponents()) {
      if (component.getName().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static String propertyName(String getter) {
    if (!getter.startsWith("get")) {
      return getter;
    }
    return Character.toLowerCase(getter.charAt(3)) + getter.substring(4);
  }

  private static Object invoke(Method getter, Object target) {
    try {
      return getter.invoke(target);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + getter, e);
    }
  }
}
