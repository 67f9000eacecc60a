package io.tokenserver.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.tokenserver.config.ConfigException;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.deploy.Manifests.Target;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The manifests agree with the code they deploy and with each other, for the base and each overlay. */
class KubernetesManifestsTest {

  /** Environment variables read by the JVM itself rather than by ServerConfig. */
  static final Set<String> JVM_VARIABLES = Set.of("JDK_JAVA_OPTIONS");
  /** Memory a JVM needs beside heap and direct buffers: metaspace, code cache, thread stacks, GC tables. */
  static final long NON_HEAP_BYTES = 128L * 1024 * 1024;
  static final String MONITORING_NAMESPACE = "monitoring";

  @ParameterizedTest
  @EnumSource(Target.class)
  void containerPortsAreTheServerDefaultPorts(Target target) {
    Manifests manifests = Manifests.of(target);
    JsonObject defaults = Manifests.defaults();

    assertThat(manifests.container().getPorts()).extracting(ContainerPort::getName)
        .containsExactlyInAnyOrder("http", "management");
    assertThat(manifests.containerPort("http")).isEqualTo(defaults.getInteger("PORT"));
    assertThat(manifests.containerPort("management")).isEqualTo(defaults.getInteger("MANAGEMENT_PORT"));
    // The ConfigMap may restate the ports, but never move the server away from the container ports.
    Map<String, String> settings = manifests.configMap().getData();
    assertThat(settings.getOrDefault("PORT", defaults.getValue("PORT").toString()))
        .isEqualTo(String.valueOf(manifests.containerPort("http")));
    assertThat(settings).doesNotContainKey("SERVER_PORT");
    assertThat(settings.getOrDefault("MANAGEMENT_PORT", defaults.getValue("MANAGEMENT_PORT").toString()))
        .isEqualTo(String.valueOf(manifests.containerPort("management")));
  }

  @Test
  void probeAndScrapePathsAreRoutesTheManagementServerServes() {
    Manifests manifests = Manifests.of(Target.BASE);
    Container container = manifests.container();
    Map<String, Probe> probes = new HashMap<>();
    probes.put("startupProbe", container.getStartupProbe());
    probes.put("readinessProbe", container.getReadinessProbe());
    probes.put("livenessProbe", container.getLivenessProbe());
    probes.forEach((name, probe) -> {
      assertThat(probe).as(name).isNotNull();
      assertThat(port(manifests, probe.getHttpGet().getPort())).as(name + " port")
          .isEqualTo(manifests.containerPort("management"));
    });
    // A draining pod answers 503 on readiness: liveness on the same path would kill it mid-drain.
    assertThat(container.getLivenessProbe().getHttpGet().getPath())
        .isNotEqualTo(container.getReadinessProbe().getHttpGet().getPath());

    Set<String> paths = new LinkedHashSet<>();
    probes.values().forEach(probe -> paths.add(probe.getHttpGet().getPath()));
    manifests.serviceMonitor().spec().endpoints().forEach(endpoint -> paths.add(endpoint.path()));
    // The real server, configured by the ConfigMap (on loopback ports it picks itself instead of 8080/8081).
    JsonObject values = TestConfig.values();
    manifests.configMap().getData().forEach(values::put);
    values.put("HOST", "127.0.0.1").put("PORT", 0).put("MANAGEMENT_PORT", 0);
    try (RunningServer server = RunningServer.start(ServerConfig.from(values))) {
      for (String path : paths) {
        assertThat(server.management(path).statusCode()).as("GET %s on the management port", path).isEqualTo(200);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void everyEnvironmentNameIsAConfigKeyTheServerReads(Target target) {
    Manifests manifests = Manifests.of(target);
    Container container = manifests.container();
    List<String> names = new ArrayList<>(container.getEnv().stream().map(EnvVar::getName).toList());
    for (EnvFromSource source : container.getEnvFrom()) {
      assertThat(source.getPrefix()).as("envFrom prefix").isNull();
      assertThat(source.getSecretRef()).as("secrets come in by name, through env").isNull();
      String configMapName = source.getConfigMapRef().getName();
      assertThat(manifests.configMap().getMetadata().getName()).isEqualTo(configMapName);
      names.addAll(manifests.configMap().getData().keySet());
    }

    Set<String> readers = new HashSet<>(ServerConfig.KEYS);
    readers.addAll(JVM_VARIABLES);

    // The server reads only ServerConfig.KEYS from the environment: any other name is silently ignored.
    assertThat(names).as("environment names").isSubsetOf(readers).doesNotHaveDuplicates();
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void theConfigMapIsAConfigurationTheServerAccepts(Target target) {
    JsonObject values = Manifests.defaults()
        .put("APP_ID", FakeCredentials.APP_ID)
        .put("APP_CERTIFICATE", FakeCredentials.APP_CERTIFICATE);
    Map<String, String> settings = Manifests.of(target).configMap().getData();
    settings.forEach(values::put);
    if (settings.containsKey("API_KEYS_FILE")) {
      // The file comes from the Secret in the cluster; here a fake one stands in for it.
      values.put("API_KEYS_FILE", fakeApiKeysFile().toString());
    }
    // What the operator fills in (productionPlaceholdersStopStartUpUntilSet).
    placeholderKeys(settings).forEach(key -> values.put(key, "none"));

    ServerConfig config = ServerConfig.from(values);

    assertThat(config.port()).isEqualTo(Manifests.of(target).containerPort("http"));
    assertThat(settings).doesNotContainKeys("APP_ID", "APP_CERTIFICATE");
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void credentialsAreFilesOfTheMountedSecretSoRotationReachesThePods(Target target) {
    Manifests manifests = Manifests.of(target);
    Container container = manifests.container();
    Secret example = Manifests.exampleSecret();
    Map<String, String> env = new HashMap<>();
    for (EnvVar variable : container.getEnv()) {
      // A variable from a secretKeyRef is fixed for the pod's life: a rotated Secret would never arrive.
      assertThat(variable.getValueFrom()).as("valueFrom of %s", variable.getName()).isNull();
      env.put(variable.getName(), variable.getValue());
    }
    assertThat(env).doesNotContainKeys("APP_ID", "APP_CERTIFICATE");
    assertThat(manifests.configMap().getData()).doesNotContainKeys("APP_ID", "APP_CERTIFICATE", "API_KEYS");

    PodSpec pod = manifests.deployment().getSpec().getTemplate().getSpec();
    Volume volume = pod.getVolumes().stream().filter(v -> v.getSecret() != null).collect(onlyOne("secret volume"));
    assertThat(volume.getSecret().getSecretName()).isEqualTo(example.getMetadata().getName());
    assertThat(volume.getSecret().getOptional()).as("optional secret").isNotEqualTo(true);
    assertThat(volume.getSecret().getItems()).as("every key of the Secret is a file").isNullOrEmpty();
    VolumeMount mount = container.getVolumeMounts().stream().filter(m -> m.getName().equals(volume.getName()))
        .collect(onlyOne("mount of the secret volume"));
    assertThat(mount.getReadOnly()).isTrue();
    // The kubelet never updates a subPath mount.
    assertThat(mount.getSubPath()).isNullOrEmpty();
    assertThat(mount.getSubPathExpr()).isNullOrEmpty();

    String dir = mount.getMountPath() + "/";
    assertThat(env).containsEntry("APP_ID_FILE", dir + "APP_ID")
        .containsEntry("APP_CERTIFICATE_FILE", dir + "APP_CERTIFICATE");
    assertThat(example.getStringData()).containsKeys("APP_ID", "APP_CERTIFICATE");
    assertThat(example.getData()).isNullOrEmpty();
    // Applying the kustomization must never overwrite the real Secret with the example.
    assertThat(manifests.objects).noneMatch(Secret.class::isInstance);
  }

  @Test
  void productionAuthenticatesCallersByApiKeyFromTheSecretAndLimitsTheirRate() {
    Manifests production = Manifests.of(Target.PRODUCTION);
    Map<String, String> settings = production.configMap().getData();
    String secretDir = production.container().getVolumeMounts().stream()
        .filter(mount -> mount.getName().equals("credentials")).findFirst().orElseThrow().getMountPath();

    assertThat(settings).containsEntry("AUTH_MODE", "api-key")
        .containsEntry("API_KEYS_FILE", secretDir + "/API_KEYS")
        .doesNotContainKey("API_KEYS");
    assertThat(Long.parseLong(settings.get("RATE_LIMIT_PER_SECOND"))).as("per-caller rate limit").isPositive();
    assertThat(Manifests.exampleSecret().getStringData()).containsKey("API_KEYS");
    // The base stays a trial setup; production is the documented deployment.
    assertThat(Manifests.of(Target.BASE).configMap().getData()).doesNotContainKey("AUTH_MODE");
  }

  @Test
  void productionPlaceholdersStopStartUpUntilSet() {
    Map<String, String> settings = Manifests.of(Target.PRODUCTION).configMap().getData();
    JsonObject values = Manifests.defaults()
        .put("APP_ID", FakeCredentials.APP_ID)
        .put("APP_CERTIFICATE", FakeCredentials.APP_CERTIFICATE);
    settings.forEach(values::put);
    values.put("API_KEYS_FILE", fakeApiKeysFile().toString());

    // The production checklist: browser origins instead of *, and the load balancer's addresses.
    assertThat(placeholderKeys(settings)).containsExactlyInAnyOrder("CORS_ALLOW_ORIGIN", "TRUSTED_PROXIES");
    assertThat(placeholderKeys(Manifests.of(Target.BASE).configMap().getData())).isEmpty();
    assertThatThrownBy(() -> ServerConfig.from(values)).isInstanceOf(ConfigException.class)
        .hasMessage("CORS_ALLOW_ORIGIN is a placeholder (REPLACE-ME): set it to your web app's origins, or none");
    values.put("CORS_ALLOW_ORIGIN", "https://app.example.com");
    assertThatThrownBy(() -> ServerConfig.from(values)).isInstanceOf(ConfigException.class)
        .hasMessage("TRUSTED_PROXIES is a placeholder (REPLACE-ME): set it to your load balancer's addresses, or none");
    values.put("TRUSTED_PROXIES", "10.0.0.0/8");

    ServerConfig config = ServerConfig.from(values);

    assertThat(config.corsAllowOrigins()).containsExactly("https://app.example.com");
    assertThat(config.rateLimit().trustedProxies().trusts("10.1.2.3")).isTrue();
    ServerConfig neither = ServerConfig.from(values.put("CORS_ALLOW_ORIGIN", "none").put("TRUSTED_PROXIES", "none"));
    assertThat(neither.corsAllowOrigins()).isEmpty();
    assertThat(neither.rateLimit().trustedProxies().isEmpty()).isTrue();
  }

  /** The keys whose value is a placeholder for the operator to replace. */
  private static List<String> placeholderKeys(Map<String, String> settings) {
    return settings.entrySet().stream().filter(entry -> entry.getValue().contains("REPLACE-ME"))
        .map(Map.Entry::getKey).toList();
  }

  private static <T> java.util.stream.Collector<T, ?, T> onlyOne(String what) {
    return Collectors.collectingAndThen(Collectors.toList(), list -> {
      assertThat(list).as(what).hasSize(1);
      return list.get(0);
    });
  }

  @Test
  void theExampleSecretHoldsPlaceholdersTheServerRefuses() {
    JsonObject values = Manifests.defaults();
    Manifests.exampleSecret().getStringData().forEach(values::put);

    assertThatThrownBy(() -> ServerConfig.from(values)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("APP_ID");
    values.put("APP_ID", FakeCredentials.APP_ID);
    assertThatThrownBy(() -> ServerConfig.from(values)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("APP_CERTIFICATE");
    values.put("APP_CERTIFICATE", FakeCredentials.APP_CERTIFICATE).put("AUTH_MODE", "api-key");
    assertThatThrownBy(() -> ServerConfig.from(values)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("API_KEYS");
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void serviceSelectsTheDeploymentsPodsOnTheirNamedPorts(Target target) {
    Manifests manifests = Manifests.of(target);
    Deployment deployment = manifests.deployment();
    Service service = manifests.service();

    assertThat(Manifests.selects(deployment.getSpec().getSelector(), manifests.podLabels())).isTrue();
    assertThat(manifests.podLabels()).containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(service.getSpec().getSelector()).isNotEmpty();
    assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(service.getSpec().getPorts()).extracting(ServicePort::getName)
        .containsExactlyInAnyOrder("http", "management");
    for (ServicePort port : service.getSpec().getPorts()) {
      assertThat(port(manifests, port.getTargetPort())).as("targetPort of %s", port.getName())
          .isEqualTo(manifests.containerPort(port.getName()));
    }
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void disruptionBudgetSelectsTheDeploymentsPodsAndKeepsMostOfThem(Target target) {
    Manifests manifests = Manifests.of(target);
    var pdb = manifests.pdb().getSpec();

    assertThat(Manifests.selects(pdb.getSelector(), manifests.podLabels())).isTrue();
    assertThat(pdb.getMaxUnavailable()).isEqualTo(new IntOrString(1));
    assertThat(pdb.getMinAvailable()).isNull();
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void autoscalerScalesTheDeploymentOnCpuFromItsReplicaCount(Target target) {
    Manifests manifests = Manifests.of(target);
    Deployment deployment = manifests.deployment();
    var hpa = manifests.hpa().getSpec();

    assertThat(hpa.getScaleTargetRef().getApiVersion()).isEqualTo(deployment.getApiVersion());
    assertThat(hpa.getScaleTargetRef().getKind()).isEqualTo(deployment.getKind());
    assertThat(hpa.getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
    assertThat(hpa.getMinReplicas()).isGreaterThanOrEqualTo(3).isLessThan(hpa.getMaxReplicas());
    // A different count would be reset by the HPA at once, or undo its scaling on every apply.
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(hpa.getMinReplicas());
    assertThat(hpa.getMetrics()).singleElement().satisfies(metric -> {
      assertThat(metric.getResource().getName()).isEqualTo("cpu");
      assertThat(metric.getResource().getTarget().getType()).isEqualTo("Utilization");
    });
    // CPU utilization is measured against the request: without one the HPA cannot compute it.
    assertThat(manifests.container().getResources().getRequests()).containsKey("cpu");
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void serviceMonitorScrapesTheServicesManagementPort(Target target) {
    Manifests manifests = Manifests.of(target);
    ServiceMonitor monitor = manifests.serviceMonitor();
    Service service = manifests.service();

    assertThat(monitor.apiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(Manifests.selects(monitor.spec().selector(), service.getMetadata().getLabels())).isTrue();
    assertThat(monitor.spec().endpoints()).singleElement().satisfies(endpoint -> {
      assertThat(service.getSpec().getPorts()).extracting(ServicePort::getName).contains(endpoint.port());
      assertThat(endpoint.port()).isEqualTo("management");
      assertThat(endpoint.path()).isEqualTo("/metrics");
    });
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void networkPolicyOpensThePublicPortToAllAndManagementOnlyToMonitoring(Target target) {
    Manifests manifests = Manifests.of(target);
    NetworkPolicy policy = manifests.networkPolicy();

    assertThat(Manifests.selects(policy.getSpec().getPodSelector(), manifests.podLabels())).isTrue();
    assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress");
    Map<Integer, List<NetworkPolicyIngressRule>> rulesByPort = new HashMap<>();
    for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
      // A rule without ports opens every port, management included.
      assertThat(rule.getPorts()).as("ports of every ingress rule").isNotEmpty();
      for (NetworkPolicyPort port : rule.getPorts()) {
        assertThat(port.getEndPort()).isNull();
        rulesByPort.computeIfAbsent(port(manifests, port.getPort()), p -> new ArrayList<>()).add(rule);
      }
    }

    assertThat(rulesByPort).containsOnlyKeys(manifests.containerPort("http"), manifests.containerPort("management"));
    assertThat(rulesByPort.get(manifests.containerPort("http")))
        .anySatisfy(rule -> assertThat(rule.getFrom()).as("peers of the public port: anyone").isNullOrEmpty());
    assertThat(rulesByPort.get(manifests.containerPort("management"))).allSatisfy(rule -> {
      assertThat(rule.getFrom()).singleElement().satisfies(peer -> {
        assertThat(peer.getIpBlock()).isNull();
        assertThat(peer.getPodSelector()).isNull();
        assertThat(peer.getNamespaceSelector().getMatchLabels())
            .containsExactly(Map.entry("kubernetes.io/metadata.name", MONITORING_NAMESPACE));
      });
    });
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void gracePeriodCoversThePreStopPauseAndTheDrain(Target target) {
    Manifests manifests = Manifests.of(target);
    String delay = manifests.configMap().getData()
        .getOrDefault("DRAIN_DELAY_SECONDS", Manifests.defaults().getValue("DRAIN_DELAY_SECONDS").toString());
    String timeout = manifests.configMap().getData()
        .getOrDefault("DRAIN_TIMEOUT_SECONDS", Manifests.defaults().getValue("DRAIN_TIMEOUT_SECONDS").toString());
    long drain = Long.parseLong(delay) + Long.parseLong(timeout);
    long pause = preStopPauseSeconds(manifests.container().getLifecycle().getPreStop());
    long grace = manifests.deployment().getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();

    assertThat(pause).as("preStop pause, so endpoints drop the pod before SIGTERM").isPositive();
    assertThat(grace).as("terminationGracePeriodSeconds > preStop %d s + drain delay and timeout %d s", pause, drain)
        .isGreaterThan(pause + drain);
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void rollingUpdatesNeverRemoveAPodBeforeItsReplacementIsReady(Target target) {
    Deployment deployment = Manifests.of(target).deployment();
    RollingUpdateDeployment rolling = deployment.getSpec().getStrategy().getRollingUpdate();

    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(rolling.getMaxUnavailable()).isIn(new IntOrString(0), new IntOrString("0%"));
    assertThat(rolling.getMaxSurge()).isNotIn(new IntOrString(0), new IntOrString("0%"));
    assertThat(deployment.getSpec().getReplicas()).isGreaterThanOrEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void podRunsAsAFixedNonRootUserWithAReadOnlyRootAndNoPrivileges(Target target) {
    Manifests manifests = Manifests.of(target);
    PodSpec pod = manifests.deployment().getSpec().getTemplate().getSpec();
    PodSecurityContext podSecurity = pod.getSecurityContext();
    SecurityContext security = manifests.container().getSecurityContext();

    assertThat(podSecurity.getRunAsNonRoot()).isTrue();
    assertThat(podSecurity.getRunAsUser()).as("fixed uid").isNotNull().isPositive();
    assertThat(podSecurity.getRunAsGroup()).as("fixed gid").isNotNull().isPositive();
    assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(security.getRunAsUser()).as("container overrides the pod's uid").isNull();
    assertThat(security.getRunAsNonRoot()).as("container overrides runAsNonRoot").isNotEqualTo(false);
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getPrivileged()).isNotEqualTo(true);
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(pod.getHostNetwork()).isNotEqualTo(true);
    assertThat(pod.getHostPID()).isNotEqualTo(true);
    assertThat(pod.getHostIPC()).isNotEqualTo(true);
    assertThat(pod.getAutomountServiceAccountToken()).as("no API token for a server that never calls the API")
        .isFalse();
    // Service links would inject <SERVICE>_PORT=tcp://... variables; SERVER_PORT is a key the server reads.
    assertThat(pod.getEnableServiceLinks()).isFalse();
    // With a read-only root, /tmp (JVM perf data, Netty's native library) must be a writable emptyDir.
    VolumeMount tmp = manifests.container().getVolumeMounts().stream()
        .filter(mount -> mount.getMountPath().equals("/tmp")).findFirst()
        .orElseThrow(() -> new AssertionError("no volume mounted at /tmp"));
    assertThat(pod.getVolumes()).filteredOn(volume -> volume.getName().equals(tmp.getName()))
        .singleElement().extracting(Volume::getEmptyDir).isNotNull();
    assertThat(tmp.getReadOnly()).isNotEqualTo(true);
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void memoryLimitHoldsWhatTheJvmFlagsLetTheJvmTake(Target target) {
    Container container = Manifests.of(target).container();
    Map<String, Quantity> requests = container.getResources().getRequests();
    Map<String, Quantity> limits = container.getResources().getLimits();
    Map<String, String> flags = jvmFlags(container);

    // The heap is sized from the limit (container-aware), never fixed with -Xmx.
    assertThat(flags).containsKey("-XX:MaxRAMPercentage").doesNotContainKey("-Xmx");
    BigDecimal limit = Quantity.getAmountInBytes(limits.get("memory"));
    assertThat(Quantity.getAmountInBytes(requests.get("memory"))).as("memory request = limit").isEqualTo(limit);
    BigDecimal heap = limit.multiply(new BigDecimal(flags.get("-XX:MaxRAMPercentage"))).movePointLeft(2);
    BigDecimal direct = new BigDecimal(bytes(flags.getOrDefault("-XX:MaxDirectMemorySize", "0")));
    assertThat(heap.add(direct).add(BigDecimal.valueOf(NON_HEAP_BYTES)))
        .as("max heap %s + direct %s + non-heap %s bytes <= memory limit %s", heap, direct, NON_HEAP_BYTES, limit)
        .isLessThanOrEqualTo(limit);
    assertThat(Quantity.getAmountInBytes(requests.get("cpu")))
        .isLessThanOrEqualTo(Quantity.getAmountInBytes(limits.get("cpu")));
    assertThat(flags).containsKey("-XX:+ExitOnOutOfMemoryError");
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void podsRunTheMeasuredJvmFlagsExceptTheFixedHeap(Target target) throws Exception {
    // conf/jvm.options fixes the heap for one core; pods size it from their memory limit instead.
    List<String> measured = java.nio.file.Files.readAllLines(java.nio.file.Path.of("conf/jvm.options")).stream()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .filter(flag -> !flag.startsWith("-Xms") && !flag.startsWith("-Xmx"))
        .toList();
    assertThat(measured).isNotEmpty();
    assertThat(jvmFlags(Manifests.of(target).container())).containsAllEntriesOf(parseJvmFlags(String.join(" ", measured)));
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void podsSpreadAcrossNodes(Target target) {
    Manifests manifests = Manifests.of(target);
    List<TopologySpreadConstraint> constraints =
        manifests.deployment().getSpec().getTemplate().getSpec().getTopologySpreadConstraints();

    assertThat(constraints).extracting(TopologySpreadConstraint::getTopologyKey).contains("kubernetes.io/hostname");
    assertThat(constraints).allSatisfy(constraint ->
        assertThat(Manifests.selects(constraint.getLabelSelector(), manifests.podLabels())).isTrue());
  }

  @Test
  void productionOverlaySetsImageReplicasResourcesAndNamespace() {
    Manifests base = Manifests.of(Target.BASE);
    Manifests production = Manifests.of(Target.PRODUCTION);
    Namespace namespace = production.only(Namespace.class);

    assertThat(production.container().getImage()).isNotEqualTo(base.container().getImage())
        .matches("[a-z0-9.-]+(:\\d+)?/.+(:[\\w.-]+|@sha256:[0-9a-f]{64})");
    assertThat(production.deployment().getSpec().getReplicas()).isNotEqualTo(base.deployment().getSpec().getReplicas());
    assertThat(production.container().getResources()).isNotEqualTo(base.container().getResources());
    assertThat(namespace.getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
    assertThat(production.objects).filteredOn(object -> !(object instanceof Namespace))
        .allSatisfy(object -> assertThat(namespaceOf(object)).isEqualTo(namespace.getMetadata().getName()));
  }

  private static java.nio.file.Path fakeApiKeysFile() {
    try {
      java.nio.file.Path file = java.nio.file.Files.createTempFile("api-keys", ".txt");
      file.toFile().deleteOnExit();
      return java.nio.file.Files.writeString(file, "fake-api-key-0123456789abcdef\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A named or numbered port of the container, as a number. */
  static int port(Manifests manifests, IntOrString port) {
    return port.getIntVal() != null ? port.getIntVal() : manifests.containerPort(port.getStrVal());
  }

  static long preStopPauseSeconds(LifecycleHandler preStop) {
    assertThat(preStop).as("preStop").isNotNull();
    if (preStop.getSleep() != null) {
      return preStop.getSleep().getSeconds();
    }
    List<String> command = preStop.getExec() == null ? List.of() : preStop.getExec().getCommand();
    assertThat(command).as("preStop: a sleep action or exec [sleep, N]").hasSize(2).first().isEqualTo("sleep");
    return Long.parseLong(command.get(1));
  }

  /** JDK_JAVA_OPTIONS (which replaces the image's flags) as flag → value ("" for flags without one). */
  static Map<String, String> jvmFlags(Container container) {
    String options = container.getEnv().stream().filter(env -> env.getName().equals("JDK_JAVA_OPTIONS"))
        .findFirst().orElseThrow(() -> new AssertionError("no JDK_JAVA_OPTIONS")).getValue();
    return parseJvmFlags(options);
  }

  static Map<String, String> parseJvmFlags(String options) {
    return java.util.Arrays.stream(options.trim().split("\\s+"))
        .map(flag -> flag.startsWith("-Xmx") ? "-Xmx=" + flag.substring(4) : flag)
        .collect(Collectors.toMap(flag -> flag.split("=", 2)[0], flag -> flag.contains("=") ? flag.split("=", 2)[1] : ""));
  }

  /** A HotSpot size such as 64m or 1g, in bytes. */
  static long bytes(String size) {
    char unit = Character.toLowerCase(size.charAt(size.length() - 1));
    long scale = switch (unit) {
      case 'k' -> 1024L;
      case 'm' -> 1024L * 1024;
      case 'g' -> 1024L * 1024 * 1024;
      default -> 1L;
    };
    return Long.parseLong(Character.isDigit(unit) ? size : size.substring(0, size.length() - 1)) * scale;
  }

  private static String namespaceOf(Object object) {
    return object instanceof HasMetadata resource ? resource.getMetadata().getNamespace()
        : ((ServiceMonitor) object).metadata().getNamespace();
  }
}
