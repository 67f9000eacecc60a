package io.tokenserver.deploy;

import io.tokenserver.support.ExternalTool;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.ServerProcess;
import io.tokenserver.support.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rolling restart behind a real load balancer that never retries a request: HAProxy health-checks
 * {@code /health/ready} on each instance's management port ({@code inter 300ms fall 1 rise 2}, {@code retries 0},
 * no {@code retry-on}) and spreads {@code wrk -t1 -c32} load over two server processes. Under that load each
 * instance in turn gets SIGTERM, exits, is started again on the same ports, and is back in HAProxy's rotation before
 * the next one goes; then the load stops (about 30 s in all, at most 45). Not one request may fail: every answer a
 * 200, no socket error.
 */
class RollingRestartTest {

  /** The most the load may last; it is stopped once both instances are back, usually after 20 to 30 s. */
  private static final int MAX_LOAD_SECONDS = 45;
  private static final String PATH = "/rtc/rolling/publisher/uid/42";

  @TempDir
  Path dir;

  @Test
  void rollingRestartBehindALoadBalancerThatDoesNotRetryFailsNoRequest() throws Exception {
    Path haproxy = ExternalTool.require("haproxy", "haproxy");
    Path wrk = ExternalTool.require("wrk", "wrk");
    Instance a = new Instance("a");
    Instance b = new Instance("b");
    int frontPort = TestConfig.freePort();
    Path socket = dir.resolve("haproxy.sock");
    Path config = Files.writeString(dir.resolve("haproxy.cfg"), haproxyConfig(frontPort, socket, a, b));
    a.start();
    b.start();
    Process balancer = null;
    Process load = null;
    try {
      a.awaitReady();
      b.awaitReady();
      balancer = new ProcessBuilder(haproxy.toString(), "-db", "-f", config.toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
      Stats stats = new Stats(socket);
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
          .until(() -> stats.isUp(a.name) && stats.isUp(b.name));

      Path wrkOutput = dir.resolve("wrk.out");
      // A response slower than --timeout counts as a socket error; 10 s, as this machine may be shared and busy.
      load = new ProcessBuilder(wrk.toString(), "-t1", "-c32", "-d" + MAX_LOAD_SECONDS + "s", "--timeout", "10s",
          "-s", Path.of("gatling/status-counts.lua").toAbsolutePath().toString(), "http://127.0.0.1:" + frontPort + PATH)
          .redirectErrorStream(true).redirectOutput(wrkOutput.toFile()).start();

      for (Instance instance : List.of(a, b)) {
        // Both serve before one goes, and it goes while the other has not served long since its restart.
        long servedBefore = stats.answered(instance.name);
        await().atMost(Duration.ofSeconds(30)).until(() -> stats.answered(instance.name) > servedBefore + 200);
        instance.process.terminate();
        assertThat(instance.process.awaitExit(60_000)).as("%s drains and exits 0", instance.name).isZero();
        instance.start();
        instance.awaitReady();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> stats.isUp(instance.name));
      }
      long servedAfterRestarts = stats.answered(b.name);
      await().atMost(Duration.ofSeconds(30)).until(() -> stats.answered(b.name) > servedAfterRestarts + 200);
      assertThat(load.isAlive()).as("the load ran through both restarts").isTrue();
      // wrk stops on SIGINT and prints its summary.
      assertThat(new ProcessBuilder("kill", "-INT", Long.toString(load.pid())).start().waitFor()).isZero();

      assertThat(load.waitFor(30, TimeUnit.SECONDS)).as("wrk ends").isTrue();
      String output = Files.readString(wrkOutput);
      System.out.println("rolling restart under load through HAProxy:\n" + output
          + "HAProxy's log:\n" + Files.readString(dir.resolve("haproxy.log")));

      long requests = number(output, "(\\d+) requests in");
      assertThat(requests).as(output).isGreaterThan(1000);
      assertThat(statusCounts(output)).as("every answer a 200:\n" + output).containsOnlyKeys(200);
      assertThat(statusCounts(output).get(200)).as(output).isEqualTo(requests);
      assertThat(output).as("no socket errors, no non-2xx answers").doesNotContain("Socket errors")
          .doesNotContain("Non-2xx");
    } catch (Throwable failure) {
      // What HAProxy saw (servers going down, checks timing out) is what explains a failure here.
      Path log = dir.resolve("haproxy.log");
      System.out.println("HAProxy's log at the failure:\n" + (Files.exists(log) ? Files.readString(log) : "(none)"));
      throw failure;
    } finally {
      if (load != null) {
        load.destroyForcibly();
      }
      if (balancer != null) {
        balancer.destroy();
        balancer.waitFor(10, TimeUnit.SECONDS);
      }
      a.process.close();
      b.process.close();
    }
  }

  private static String haproxyConfig(int frontPort, Path socket, Instance a, Instance b) {
    return String.join("\n",
        "global",
        "  nbthread 1",
        "  stats socket " + socket + " mode 600 level admin",
        "  log stderr format raw local0 notice",
        "defaults",
        "  mode http",
        "  log global",
        "  timeout connect 2s",
        "  timeout client 30s",
        "  timeout server 30s",
        // Long enough for a check answered by a healthy instance on a busy machine: only a 503 takes one out.
        "  timeout check 10s",
        // No second attempt of any kind: a request sent to an instance that cannot take it is a failed request.
        "  retries 0",
        "frontend api",
        "  bind 127.0.0.1:" + frontPort,
        "  default_backend servers",
        "backend servers",
        "  balance roundrobin",
        "  option httpchk GET /health/ready",
        a.serverLine(),
        b.serverLine(),
        "");
  }

  /** One server process on fixed loopback ports, so that it comes back where HAProxy expects it. */
  private static final class Instance {

    final String name;
    final int port = TestConfig.freePort();
    final int managementPort = TestConfig.freePort();
    ServerProcess process;

    Instance(String name) {
      this.name = name;
    }

    void start() {
      Map<String, String> env = new HashMap<>(Map.of(
          "APP_ID", FakeCredentials.APP_ID, "APP_CERTIFICATE", FakeCredentials.APP_CERTIFICATE,
          "HOST", "127.0.0.1", "PORT", Integer.toString(port), "MANAGEMENT_PORT", Integer.toString(managementPort),
          "EVENT_LOOPS", "1", "SIGNING_POOL_SIZE", "1",
          // The default: HAProxy (inter 300ms x fall 1) has stopped sending here well before the port closes.
          "DRAIN_DELAY_SECONDS", "5"));
      process = ServerProcess.start(env, Map.of());
    }

    void awaitReady() throws InterruptedException {
      process.awaitLine("ready in", 60_000);
    }

    String serverLine() {
      return "  server " + name + " 127.0.0.1:" + port + " check port " + managementPort + " inter 300ms fall 1 rise 2";
    }
  }

  /** HAProxy's runtime API on its stats socket: each server's state and the answers it gave. */
  private record Stats(Path socket) {

    boolean isUp(String server) throws IOException {
      return "UP".equals(row(server).get("status"));
    }

    long answered(String server) throws IOException {
      Map<String, String> row = row(server);
      return Arrays.stream(new String[] {"hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx"})
          .mapToLong(column -> Long.parseLong(row.get(column))).sum();
    }

    private Map<String, String> row(String server) throws IOException {
      String[] lines = command("show stat").split("\n");
      String[] header = lines[0].replaceFirst("^# ", "").split(",", -1);
      for (String line : lines) {
        String[] fields = line.split(",", -1);
        if (fields.length > 1 && fields[0].equals("servers") && fields[1].equals(server)) {
          Map<String, String> row = new HashMap<>();
          for (int i = 0; i < header.length && i < fields.length; i++) {
            row.put(header[i], fields[i]);
          }
          return row;
        }
      }
      throw new IOException("no server " + server + " in HAProxy's stats");
    }

    private String command(String command) throws IOException {
      try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        channel.connect(UnixDomainSocketAddress.of(socket));
        channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        while (channel.read(buffer) >= 0) {
          answer.write(buffer.array(), 0, buffer.position());
          buffer.clear();
        }
        return answer.toString(StandardCharsets.US_ASCII);
      }
    }
  }

  /** The {@code status N: count} lines of gatling/status-counts.lua. */
  private static Map<Integer, Long> statusCounts(String output) {
    Map<Integer, Long> counts = new HashMap<>();
    Matcher matcher = Pattern.compile("(?m)^status (\\d+): (\\d+)$").matcher(output);
    while (matcher.find()) {
      counts.put(Integer.parseInt(matcher.group(1)), Long.parseLong(matcher.group(2)));
    }
    return counts;
  }

  private static long number(String output, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(output);
    assertThat(matcher.find()).as("'%s' in:%n%s", regex, output).isTrue();
    return Long.parseLong(matcher.group(1));
  }
}
