package io.tokenserver.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.tokenserver.deploy.Manifests.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Dockerfile runs the server the way k8s/ expects (user, ports, JVM flags, working directory), so the
 * one image definition and the manifests cannot drift. ContainerImageIT builds and runs the image itself.
 */
class DockerfileTest {

  private static final List<String[]> INSTRUCTIONS = instructions(Path.of("Dockerfile"));

  @Test
  void baseImageIsABuildArgumentDefaultingToEclipseTemurin17JrePinnedByDigest() {
    assertThat(only("ARG")).isEqualTo(
        "BASE_IMAGE=eclipse-temurin:17-jre@sha256:c6f2875c05ea10f16398bdc5f73405c384991506f2f1ead8bcc6582ae8adea79")
        .matches("BASE_IMAGE=eclipse-temurin:17-jre@sha256:[0-9a-f]{64}");
    assertThat(only("FROM")).isEqualTo("${BASE_IMAGE}");
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void imageRunsAsTheDeploymentsNonRootUser(Target target) {
    PodSecurityContext pod = Manifests.of(target).deployment().getSpec().getTemplate().getSpec().getSecurityContext();

    assertThat(only("USER")).isEqualTo(pod.getRunAsUser() + ":" + pod.getRunAsGroup()).doesNotStartWith("0");
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void imageExposesTheContainerPorts(Target target) {
    List<String> containerPorts = Manifests.of(target).container().getPorts().stream()
        .map(ContainerPort::getContainerPort).map(String::valueOf).toList();

    assertThat(only("EXPOSE").split("\\s+")).containsExactlyInAnyOrderElementsOf(containerPorts);
  }

  @Test
  void imageRunsTheShadedJarWithTheDefaultsWhereTheServerLooksForThem() {
    String workdir = only("WORKDIR");
    List<String> copies = all("COPY");

    assertThat(copies).contains("conf/ " + workdir + "/conf/", "target/agora-token-server.jar " + workdir
        + "/agora-token-server.jar");
    assertThat(Files.isRegularFile(Path.of("conf/config.json"))).isTrue();
    assertThat(only("ENTRYPOINT")).isEqualTo("[\"java\", \"-jar\", \"" + workdir + "/agora-token-server.jar\"]");
    assertThat(only("STOPSIGNAL")).isEqualTo("SIGTERM");
  }

  @Test
  void imageJvmFlagsAreConfJvmOptionsAsAReplaceableDefault() {
    // JDK_JAVA_OPTIONS, not java's command line: a Deployment (or docker run -e) replaces it whole.
    assertThat(only("ENV")).isEqualTo("JDK_JAVA_OPTIONS=@" + only("WORKDIR") + "/conf/jvm.options");
    assertThat(Path.of("conf/jvm.options")).isRegularFile();
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void podsReplaceTheImagesJvmFlagsInsteadOfAddingToThem(Target target) {
    Container container = Manifests.of(target).container();
    List<String> variables = container.getEnv().stream().map(EnvVar::getName).toList();

    // JAVA_TOOL_OPTIONS would be read first and lose to the image's -Xmx; the same variable replaces it.
    assertThat(variables).contains("JDK_JAVA_OPTIONS").doesNotContain("JAVA_TOOL_OPTIONS");
    assertThat(container.getCommand()).as("the image's ENTRYPOINT runs").isNullOrEmpty();
    Map<String, String> flags = KubernetesManifestsTest.jvmFlags(container);
    assertThat(flags.keySet()).noneMatch(flag -> flag.startsWith("@"));
  }

  @Test
  void buildContextHoldsOnlyTheJarAndConf() throws IOException {
    List<String> rules = Files.readAllLines(Path.of(".dockerignore")).stream()
        .map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();

    assertThat(rules).containsExactly("*", "!conf/", "!target/agora-token-server.jar");
  }

  private static String only(String keyword) {
    List<String> values = all(keyword);
    assertThat(values).as(keyword + " instructions").hasSize(1);
    return values.get(0);
  }

  private static List<String> all(String keyword) {
    return INSTRUCTIONS.stream().filter(line -> line[0].equals(keyword)).map(line -> line[1]).toList();
  }

  /** Keyword and argument of each instruction (no line continuations in our Dockerfile). */
  private static List<String[]> instructions(Path dockerfile) {
    try {
      List<String[]> instructions = new ArrayList<>();
      for (String line : Files.readAllLines(dockerfile)) {
        String stripped = line.strip();
        if (!stripped.isEmpty() && !stripped.startsWith("#")) {
          assertThat(stripped).as("no line continuations").doesNotEndWith("\\");
          String[] parts = stripped.split("\\s+", 2);
          instructions.add(new String[] {parts[0].toUpperCase(), parts.length > 1 ? parts[1] : ""});
        }
      }
      return instructions;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
