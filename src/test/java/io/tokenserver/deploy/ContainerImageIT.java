package io.tokenserver.deploy;

import io.tokenserver.support.ExternalTool;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.PrometheusText;
import io.tokenserver.support.TestConfig;
import io.tokenserver.support.VerifiedToken;
import io.vertx.core.json.JsonObject;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Builds the Dockerfile with podman from a base image made by debootstrap (.ci/container-image.sh, no
 * registry) and runs it as Kubernetes does: read-only root, only /tmp writable, its own non-root user.
 * Runs in the integration-test phase, after `mvn package` has built the jar the image copies.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerImageIT {

  private static final String IMAGE = "localhost/agora-token-server:test";
  private static final String CONTAINER = "agora-token-server-it-" + ProcessHandle.current().pid();
  private static final int STOP_GRACE_SECONDS = 30;
  /** Mount points podman itself puts into every container (name resolution, its marker file). */
  private static final Set<String> PODMAN_MOUNT_POINTS = Set.of(
      "/etc", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/run", "/run/.containerenv");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static int port;
  private static int managementPort;

  @BeforeAll
  static void buildAndRun() throws Exception {
    ExternalTool.require("podman", "podman");
    ExternalTool.require("runc", "runc");
    ExternalTool.require("debootstrap", "debootstrap");
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
    awaitReady();
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
    assertThat(metrics.value("tokens_issued_total{kind=\"rtc\",project=\"default\"}")).isEqualTo(1.0);
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

  /** What docs/container.md says the image built on the CI base contains, read from inside a throwaway container. */
  @Test
  @Order(6)
  void containsWhatDocsContainerMdSays() throws Exception {
    String script = """
        . /etc/os-release; echo "os=$ID $VERSION_ID"
        for tool in bash apt-get dpkg curl wget javac jcmd jstack jshell; do
          if command -v "$tool" >/dev/null; then echo "has=$tool"; else echo "lacks=$tool"; fi
        done
        echo "java=$(readlink -f "$(command -v java)")"
        java -version 2>&1 | grep ' version '
        if [ -w /app ] || [ -w /app/agora-token-server.jar ] || [ -w /app/conf ] || [ -w /app/conf/config.json ]; then
          echo app=writable
        else
          echo app=read-only
        fi
        if grep -q '^[^:]*:[^:]*:10001:' /etc/passwd; then echo passwd=10001; else echo passwd=none; fi
        """;
    // --passwd=false: podman would otherwise add a passwd entry for the user when it starts the container.
    List<String> facts = run(60, "podman", "--runtime", "runc", "run", "--rm", "--network", "none", "--read-only",
        "--passwd=false", "--ulimit", "nofile=" + limit("-n") + ":" + limit("-n"),
        "--ulimit", "nproc=" + limit("-u") + ":" + limit("-u"),
        "--entrypoint", "/bin/sh", IMAGE, "-c", script).lines().toList();

    assertThat(facts).contains("os=debian 12", "has=bash", "has=apt-get", "has=dpkg",
        "lacks=curl", "lacks=wget", "lacks=javac", "lacks=jcmd", "lacks=jstack", "lacks=jshell",
        "java=/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "app=read-only", "passwd=none");
    assertThat(facts).anyMatch(line -> line.startsWith("openjdk version \"17."));
  }

  private static void awaitReady() throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (get(managementPort, "/health/ready").statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // the JVM is still starting
      }
      Thread.sleep(200);
    }
    throw new AssertionError("container not ready in 60 s:\n" + run(30, "podman", "logs", CONTAINER));
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
