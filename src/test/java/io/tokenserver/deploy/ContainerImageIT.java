package io.tokenserver.deploy;

import io.tokenserver.support.ExternalTool;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.PrometheusText;
import io.tokenserver.support.TestConfig;
import io.tokenserver.support.VerifiedToken;
import io.vertx.core.json.JsonObject;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Builds the Dockerfile with podman from base images made by debootstrap and this machine's Temurin 25
 * (.ci/container-image.sh, no registry) and runs it as Kubernetes does: read-only root, only /tmp writable,
 * its own non-root user. Measures the image's size, its time to ready and its first second after ready.
 * Runs in the integration-test phase, after `mvn package` has built the jar the image copies.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerImageIT {

  private static final String IMAGE = "localhost/agora-token-server:test";
  private static final String CONTAINER = "agora-token-server-it-" + ProcessHandle.current().pid();
  private static final int STOP_GRACE_SECONDS = 30;
  /** Mount points podman itself puts into every container (name resolution, its marker file, the tmpfs of --read-only). */
  private static final Set<String> PODMAN_MOUNT_POINTS = Set.of(
      "/etc", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/run", "/run/.containerenv", "/var", "/var/tmp");
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** Load after ready, in 1 s windows. */
  private static final int LOAD_SECONDS = 8;
  /** From `podman run` to ready on a busy 2-core CI machine; about 3-6 s when it is idle. */
  private static final double READY_SECONDS = 20;

  private static int port;
  private static int managementPort;

  @BeforeAll
  static void buildAndRun() throws Exception {
    ExternalTool.require("podman", "podman");
    ExternalTool.require("runc", "runc");
    ExternalTool.require("debootstrap", "debootstrap");
    Assumptions.assumeTrue(Files.isExecutable(Path.of(System.getenv().getOrDefault("TEMURIN_25_HOME",
        "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "jlink")) || "true".equalsIgnoreCase(System.getenv(ExternalTool.SWITCH)),
        "building the image needs a Temurin 25 JDK in TEMURIN_25_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64)");
    // debootstrap and rootful podman (runc, host network) need root; CI runs as root
    boolean root = new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    Assumptions.assumeTrue(root || "true".equalsIgnoreCase(System.getenv(ExternalTool.SWITCH)),
        "building the image needs root (debootstrap, podman); .ci/run runs as root");
    // a fresh base takes 30-90 s of debootstrap on a quiet machine, several minutes on a busy one
    run(1200, "bash", ".ci/container-image.sh", IMAGE);

    port = TestConfig.freePort();
    managementPort = TestConfig.freePort();
    run(60, "podman", "--runtime", "runc", "run", "--detach", "--name", CONTAINER,
        "--read-only", "--tmpfs", "/tmp",
        // no /etc/passwd entry added for the user: Kubernetes adds none either
        "--passwd=false",
        // raising limits is refused here: stay at or below the current ones
        "--ulimit", "nofile=" + limit("-n") + ":" + limit("-n"),
        "--ulimit", "nproc=" + limit("-u") + ":" + limit("-u"),
        "--network", "host",
        "--env", "HOST=127.0.0.1",
        "--env", "PORT=" + port,
        "--env", "MANAGEMENT_PORT=" + managementPort,
        "--env", "APP_ID=" + FakeCredentials.APP_ID,
        "--env", "APP_CERTIFICATE=" + FakeCredentials.APP_CERTIFICATE,
        IMAGE);
    awaitReady(CONTAINER, managementPort);
  }

  @AfterAll
  static void remove() throws Exception {
    new ProcessBuilder("podman", "--runtime", "runc", "rm", "--force", "--time", "0", CONTAINER)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
  }

  @Test
  @Order(1)
  void runsAsTheImagesNonRootUser() throws Exception {
    // The container's main process as the host sees it (no user namespace): real, effective, saved, fs ids.
    String pid = run(30, "podman", "inspect", "--format", "{{.State.Pid}}", CONTAINER).strip();
    List<String> ids = Files.readAllLines(Path.of("/proc", pid, "status")).stream()
        .filter(line -> line.startsWith("Uid:") || line.startsWith("Gid:")).toList();

    assertThat(ids).containsExactly("Uid:\t10001\t10001\t10001\t10001", "Gid:\t10001\t10001\t10001\t10001");
  }

  @Test
  @Order(2)
  void answersATokenTheLibraryVerifies() throws Exception {
    HttpResponse<String> response = get(port, "/rtc/stage/publisher/uid/42");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    VerifiedToken token = VerifiedToken.verify(new JsonObject(response.body()).getString("rtcToken")).issuedFor(3600);
    assertThat(token.rtc().channelName).isEqualTo("stage");
    assertThat(token.rtc().uid).isEqualTo("42");
  }

  @Test
  @Order(3)
  void managementPortAnswersReadinessAndMetrics() throws Exception {
    assertThat(get(managementPort, "/health/ready").statusCode()).isEqualTo(200);
    HttpResponse<String> scrape = get(managementPort, "/metrics");

    assertThat(scrape.statusCode()).isEqualTo(200);
    PrometheusText metrics = new PrometheusText(scrape.body());
    assertThat(metrics.value("token_server_tokens_issued_total{kind=\"rtc\",project=\"default\"}")).isEqualTo(1.0);
    assertThat(metrics.samples().keySet()).anyMatch(series -> series.startsWith("token_server_build_info{"));
  }

  @Test
  @Order(4)
  void writesNothingOutsideTmp() throws Exception {
    List<String> changed = new ArrayList<>();
    for (String line : run(30, "podman", "diff", CONTAINER).lines().toList()) {
      String path = line.substring(2).strip();
      if (!path.equals("/tmp") && !path.startsWith("/tmp/") && !PODMAN_MOUNT_POINTS.contains(path)) {
        changed.add(line);
      }
    }

    assertThat(changed).as("changes outside /tmp").isEmpty();
  }

  @Test
  @Order(5)
  void sigtermDrainsAndExitsZeroWithinTheGracePeriod() throws Exception {
    long start = System.nanoTime();
    run(STOP_GRACE_SECONDS + 30, "podman", "--runtime", "runc", "stop", "--time",
        String.valueOf(STOP_GRACE_SECONDS), CONTAINER);
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

    // podman stop sends SIGKILL at the end of the grace period: exit 0 means the server ended itself.
    assertThat(run(30, "podman", "inspect", "--format", "{{.State.ExitCode}}", CONTAINER).strip()).isEqualTo("0");
    assertThat(seconds).isLessThan(STOP_GRACE_SECONDS);
    assertThat(run(30, "podman", "logs", CONTAINER)).contains("drained, exiting");
  }

  /** What docs/container.md says the image holds, read from its files (it has no shell to ask). */
  @Test
  @Order(6)
  void containsWhatDocsContainerMdSays() throws Exception {
    Path root = Path.of(run(60, "podman", "image", "mount", IMAGE).strip());
    try {
      List<String> system = files(root).stream().filter(file -> !file.startsWith("/opt/jre/") && !file.startsWith("/app/"))
          .toList();
      assertThat(system).as("everything outside the runtime and the app").containsExactlyInAnyOrder(
          "/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libdl.so.2",
          "/lib/x86_64-linux-gnu/libm.so.6", "/lib/x86_64-linux-gnu/libpthread.so.0", "/lib/x86_64-linux-gnu/librt.so.1");
      assertThat(files(root)).filteredOn(file -> file.startsWith("/opt/jre/bin/"))
          .containsExactlyInAnyOrder("/opt/jre/bin/java", "/opt/jre/bin/jfr", "/opt/jre/bin/keytool");
      assertThat(files(root)).filteredOn(file -> file.startsWith("/app/")).containsExactlyInAnyOrder(
          "/app/agora-token-server.jar", "/app/agora-token-server.aot", "/app/conf/config.json", "/app/conf/jvm.options");
      for (String file : files(root)) {
        if (file.startsWith("/app/")) {
          PosixFileAttributes attributes = Files.readAttributes(root.resolve(file.substring(1)), PosixFileAttributes.class);
          assertThat(attributes.owner().getName()).as(file).isEqualTo("root");
          assertThat(attributes.permissions()).as(file).doesNotContain(PosixFilePermission.GROUP_WRITE,
              PosixFilePermission.OTHERS_WRITE);
        }
      }
      assertThat(root.resolve("etc/passwd")).doesNotExist();
      assertThat(root.resolve("tmp")).isDirectory();
    } finally {
      run(60, "podman", "image", "unmount", IMAGE);
    }

    List<String> version = run(60, "podman", "--runtime", "runc", "run", "--rm", "--network", "none", "--read-only",
        "--ulimit", "nofile=" + limit("-n") + ":" + limit("-n"), "--ulimit", "nproc=" + limit("-u") + ":" + limit("-u"),
        "--entrypoint", "/opt/jre/bin/java", IMAGE, "--list-modules").lines().toList();
    assertThat(version).anyMatch(line -> line.startsWith("java.base@25."));
    // the jlinked modules and what they require (java.naming: java.security.sasl)
    assertThat(version).filteredOn(line -> line.matches("[a-z.]+@.*")).map(line -> line.substring(0, line.indexOf('@')))
        .containsExactly("java.base", "java.logging", "java.management", "java.naming", "java.net.http",
            "java.security.sasl", "java.xml",
            "jdk.crypto.ec", "jdk.jfr", "jdk.management", "jdk.naming.dns", "jdk.net", "jdk.unsupported");
  }

  @Test
  @Order(7)
  void imageIsAtMost150Mb() throws Exception {
    long bytes = Long.parseLong(run(30, "podman", "image", "inspect", "--format", "{{.Size}}", IMAGE).strip());
    System.out.printf("ContainerImageIT: image %.1f MB%n", bytes / 1e6);

    assertThat(bytes).isLessThanOrEqualTo(150_000_000L);
  }

  /**
   * A fresh container is ready soon and fast from its first second: the AOT cache (required here with
   * -XX:AOTMode=on, so a cache the runtime cannot use fails the start) holds the classes and method profiles.
   */
  @Test
  @Order(8)
  void startsFromTheAotCacheAndIsFastInItsFirstSecondAfterReady() throws Exception {
    LoopbackLoad.warmUpClient();
    String container = CONTAINER + "-warm";
    int apiPort = TestConfig.freePort();
    int adminPort = TestConfig.freePort();
    try {
      long start = System.nanoTime();
      run(60, "podman", "--runtime", "runc", "run", "--detach", "--name", container, "--read-only", "--tmpfs", "/tmp",
          "--passwd=false",
          "--ulimit", "nofile=" + limit("-n") + ":" + limit("-n"), "--ulimit", "nproc=" + limit("-u") + ":" + limit("-u"),
          "--network", "host", "--env", "HOST=127.0.0.1", "--env", "PORT=" + apiPort,
          "--env", "MANAGEMENT_PORT=" + adminPort, "--env", "DEMO=true",
          "--env", "JDK_JAVA_OPTIONS=@/app/conf/jvm.options -XX:AOTMode=on", IMAGE);
      awaitReady(container, adminPort);
      double readySeconds = (System.nanoTime() - start) / 1e9;
      long[] perSecond = LoopbackLoad.requestsPerSecond(apiPort, "/rtc/stage/publisher/uid/42", LOAD_SECONDS);
      // steady: the median of the windows from the third on (one busy second of another process moves a mean)
      double steady = LongStream.of(perSecond).skip(2).sorted().skip((LOAD_SECONDS - 2) / 2).findFirst().orElseThrow();
      List<String> shares = new ArrayList<>();
      for (long count : perSecond) {
        shares.add(String.format("%.2f", count / steady));
      }
      System.out.printf("ContainerImageIT: ready in %.1f s; requests per 1 s window after ready %s; shares of the "
          + "steady rate (%.0f/s) %s%n", readySeconds, java.util.Arrays.toString(perSecond), steady, shares);

      assertThat(readySeconds).as("seconds from podman run to ready").isLessThan(READY_SECONDS);
      // the first window against the last three: a cold JIT would be at ~0.1 here
      assertThat(perSecond[0] / steady).as("first second's share of steady, " + shares).isGreaterThan(0.5);
    } finally {
      new ProcessBuilder("podman", "--runtime", "runc", "rm", "--force", "--time", "0", container)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
    }
  }

  /** Every regular file of a mounted image, as absolute paths inside it. */
  private static List<String> files(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(Files::isRegularFile).map(path -> "/" + root.relativize(path)).toList();
    }
  }

  private static void awaitReady(String container, int managementPort) throws Exception {
    try {
      // IOException: the JVM is still starting, nothing listens yet
      await("container ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
          .ignoreExceptionsInstanceOf(IOException.class)
          .until(() -> get(managementPort, "/health/ready").statusCode() == 200);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("container not ready in 60 s:\n" + run(30, "podman", "logs", container), e);
    }
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(java.time.Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The current soft limit ({@code ulimit -n} or {@code -u}), capped at 4096: plenty for this test. */
  private static String limit(String option) throws Exception {
    String value = run(10, "bash", "-c", "ulimit " + option).strip();
    return value.equals("unlimited") ? "4096" : String.valueOf(Math.min(4096, Long.parseLong(value)));
  }

  /** Runs a command to completion and returns its output; fails on a non-zero exit or a timeout. */
  private static String run(int timeoutSeconds, String... command) throws Exception {
    Path output = Files.createTempFile("podman", ".out");
    try {
      // Output to a file, not a pipe: a detached container's monitor may keep a pipe open.
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " timed out:\n" + Files.readString(output));
      }
      String text = Files.readString(output);
      assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + text).isZero();
      return text;
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
