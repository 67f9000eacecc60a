import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The image build's AOT training run (JEP 483/514/515): starts the server in demo mode with the image's
 * runtime, flags and paths plus -XX:AOTCacheOutput, drives every route on loopback for a bounded time,
 * stops it with SIGTERM as an orchestrator would, and fails the build unless the cache was written.
 * Usage: java AotTraining.java CACHE SECONDS JAVA [OPTION...] -jar JAR
 * with the build stage's JDK; the rest is the image's entry point without -XX:AOTCache, which must match it:
 * the cache is refused when the JVM options that shape the module graph differ.
 */
public class AotTraining {

  private static final int CLIENTS = 8;

  public static void main(String[] args) throws Exception {
    Path cache = Path.of(args[0]);
    Duration load = Duration.ofSeconds(Long.parseLong(args[1]));
    List<String> command = new ArrayList<>(List.of(args).subList(2, args.length));
    Path jar = Path.of(command.get(command.size() - 1));
    command.add(1, "-XX:AOTCacheOutput=" + cache);
    command.add("--demo");
    int port = freePort();
    int managementPort = freePort();

    ProcessBuilder builder = new ProcessBuilder(command).directory(jar.getParent().toFile()).inheritIO();
    Map<String, String> env = builder.environment();
    env.put("JDK_JAVA_OPTIONS", "@" + jar.resolveSibling("conf/jvm.options"));
    env.put("HOST", "127.0.0.1");
    env.put("PORT", String.valueOf(port));
    env.put("MANAGEMENT_PORT", String.valueOf(managementPort));
    // the run ends with the JVM, so the drain need not wait for a load balancer
    env.put("DRAIN_DELAY_SECONDS", "0");
    Process server = builder.start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      awaitReady(http, server, managementPort);
      Map<Integer, AtomicLong> statuses = drive(http, port, managementPort, load);
      System.out.println("AOT training: responses by status " + statuses);
      if (!statuses.containsKey(200) || statuses.keySet().stream().anyMatch(status -> status >= 500)) {
        throw new IllegalStateException("training load failed: " + statuses);
      }
    } finally {
      server.destroy(); // SIGTERM: the server drains and exits 0, then the JVM writes the cache
    }
    if (!server.waitFor(300, TimeUnit.SECONDS)) {
      server.destroyForcibly();
      throw new IllegalStateException("server did not stop after SIGTERM");
    }
    if (server.exitValue() != 0 || !Files.isRegularFile(cache)) {
      throw new IllegalStateException("no AOT cache: exit " + server.exitValue());
    }
    System.out.println("AOT training: wrote " + cache + " (" + Files.size(cache) / (1024 * 1024) + " MB)");
  }

  private static void awaitReady(HttpClient http, Process server, int managementPort) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline && server.isAlive()) {
      try {
        if (send(http, get(managementPort, "/health/ready")) == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("server not ready (alive: " + server.isAlive() + ")");
  }

  /** Every client cycles through all routes, good and bad requests, until the time is up. */
  private static Map<Integer, AtomicLong> drive(HttpClient http, int port, int managementPort, Duration load)
      throws InterruptedException {
    List<HttpRequest> requests = List.of(
        get(port, "/rtc/stage/publisher/uid/42"),
        get(port, "/rtc/stage/subscriber/userAccount/alice?expiry=600"),
        get(port, "/rtm/alice"),
        get(port, "/rte/stage/audience/uid/7/"),
        get(port, "/rte/stage/publisher/userAccount/bob/bob-rtm"),
        get(port, "/chat/app"),
        get(port, "/chat/account/carol"),
        get(port, "/ping"),
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/getToken"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"tokenType\":\"rtc\",\"channel\":\"stage\",\"role\":\"publisher\",\"uid\":\"42\",\"expire\":900}"))
            .build(),
        get(port, "/rtc/stage/publisher/uid/4294967296"),
        get(port, "/rtc/stage/owner/uid/1"),
        get(port, "/nowhere"),
        get(managementPort, "/metrics"),
        get(managementPort, "/health/ready"),
        get(managementPort, "/health/live"));
    Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    long end = System.nanoTime() + load.toNanos();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int first = c;
      clients.add(Thread.ofPlatform().start(() -> {
        for (int i = first; System.nanoTime() < end; i++) {
          // token routes far more often than the rest, as in production
          HttpRequest request = i % 8 == 0 ? requests.get((i / 8) % requests.size()) : requests.get(i % 2);
          try {
            statuses.computeIfAbsent(send(http, request), status -> new AtomicLong()).incrementAndGet();
          } catch (Exception e) {
            statuses.computeIfAbsent(-1, status -> new AtomicLong()).incrementAndGet();
          }
        }
      }));
    }
    for (Thread client : clients) {
      client.join();
    }
    return statuses;
  }

  private static HttpRequest get(int port, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
        .build();
  }

  private static int send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
