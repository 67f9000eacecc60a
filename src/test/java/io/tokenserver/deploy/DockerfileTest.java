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
  void buildStagesComeFromBuildArgumentsDefaultingToTemurin25AndDebian() {
    assertThat(all("ARG")).containsExactly("JDK_IMAGE=eclipse-temurin:25.0.3_9-jdk", "OS_IMAGE=debian:bookworm-slim");
    assertThat(all("FROM")).containsExactly("${JDK_IMAGE} AS runtime", "${OS_IMAGE} AS os", "scratch");
  }

  @Test
  void imageHoldsOnlyTheOperatingSystemFilesTheRuntimeNeedsTheRuntimeAndTheApp() {
    // nothing of the Debian or JDK images but what is copied: no shell, no package manager
    assertThat(finalStage("COPY")).containsExactly("--from=os /rootfs/ /", "--from=runtime /opt/jre/ /opt/jre/",
        "--from=runtime /app/ /app/");
    assertThat(finalStage("RUN")).isEmpty();
  }

  @Test
  void runtimeIsJlinkedFromTheModulesTheServerNeeds() {
    String jlink = stage("runtime", "RUN").get(0);

    assertThat(jlink).startsWith("jlink --add-modules ").endsWith("--output /opt/jre")
        .contains("--strip-java-debug-attributes", "--no-man-pages", "--no-header-files");
    List<String> modules = List.of(jlink.split("\\s+")[2].split(","));
    // what the server uses: TLS and EC keys (JWKS, rediss://), HTTP client (JWKS), JMX meters, JFR, XML (which logback links against)
    assertThat(modules).contains("java.base", "java.net.http", "jdk.crypto.ec", "jdk.management", "jdk.jfr",
        "java.xml", "jdk.unsupported", "jdk.naming.dns")
        .doesNotContain("java.desktop", "java.sql", "java.compiler", "jdk.compiler", "jdk.jshell", "jdk.jcmd");
  }

  @Test
  void aotCacheIsTrainedOnTheImagesRuntimeJarAndPathsAndUsedByTheEntryPoint() {
    String training = stage("runtime", "RUN").get(1);
    String trainer = "java /build/AotTraining.java /app/agora-token-server.aot 10 ";
    String entryPoint = String.join(" ", only("ENTRYPOINT").replaceAll("[\\[\\]\"]", "").split(",\\s*"));

    assertThat(training).startsWith(trainer);
    assertThat(Path.of("src/main/docker/AotTraining.java")).isRegularFile();
    // the same runtime, options and jar: the JVM refuses a cache made with other options
    assertThat(entryPoint).isEqualTo(training.substring(trainer.length())
        .replace(" -jar ", " -XX:AOTCache=/app/agora-token-server.aot -jar "));
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
    List<String> copies = stage("runtime", "COPY");

    assertThat(stage("runtime", "WORKDIR")).containsExactly(workdir);
    assertThat(copies).contains("conf/ " + workdir + "/conf/", "target/agora-token-server.jar " + workdir
        + "/agora-token-server.jar");
    assertThat(Files.isRegularFile(Path.of("conf/config.json"))).isTrue();
    assertThat(only("ENTRYPOINT")).isEqualTo("[\"/opt/jre/bin/java\", \"--enable-native-access=ALL-UNNAMED\", "
        + "\"-XX:AOTCache=" + workdir
        + "/agora-token-server.aot\", \"-jar\", \"" + workdir + "/agora-token-server.jar\"]");
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
  void buildContextHoldsOnlyTheJarConfAndTheBuildsHelpers() throws IOException {
    List<String> rules = Files.readAllLines(Path.of(".dockerignore")).stream()
        .map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();

    assertThat(rules).containsExactly("*", "!conf/", "!src/main/docker/", "!target/agora-token-server.jar");
  }

  /** The one instruction of this kind in the final stage (the image itself). */
  private static String only(String keyword) {
    List<String> values = finalStage(keyword);
    assertThat(values).as(keyword + " instructions").hasSize(1);
    return values.get(0);
  }

  private static List<String> all(String keyword) {
    return values(INSTRUCTIONS, keyword);
  }

  private static List<String> finalStage(String keyword) {
    int lastFrom = 0;
    for (int i = 0; i < INSTRUCTIONS.size(); i++) {
      if (INSTRUCTIONS.get(i)[0].equals("FROM")) {
        lastFrom = i;
      }
    }
    return values(INSTRUCTIONS.subList(lastFrom, INSTRUCTIONS.size()), keyword);
  }

  /** Instructions of a named build stage ({@code FROM ... AS name}). */
  private static List<String> stage(String name, String keyword) {
    List<String[]> stage = new ArrayList<>();
    boolean inside = false;
    for (String[] line : INSTRUCTIONS) {
      if (line[0].equals("FROM")) {
        inside = line[1].endsWith(" AS " + name);
      } else if (inside) {
        stage.add(line);
      }
    }
    return values(stage, keyword);
  }

  private static List<String> values(List<String[]> instructions, String keyword) {
    return instructions.stream().filter(line -> line[0].equals(keyword)).map(line -> line[1]).toList();
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
