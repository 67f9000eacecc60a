package io.tokenserver.hardening;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.Jwts;
import io.tokenserver.support.RawHttp;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded generated requests against the real server (see {@link RequestFuzzer}): zero 5xx, zero dropped
 * connections, every error a JSON body, every success a token. Three quarters run against the default
 * config (input validation), a quarter against JWT auth with rate limiting behind a trusted proxy.
 *
 * <p>{@code -Dfuzz.requests=1000000} for a longer run, {@code -Dfuzz.seed=N} for other requests;
 * a failure prints the seed and the request summary so it can be replayed.
 */
class FuzzTest {

  static final int REQUESTS = Integer.getInteger("fuzz.requests", 100_000);
  static final long SEED = Long.getLong("fuzz.seed", 20_261_128L);
  static final int LANES = 8;

  @Test
  void generatedRequestsNeverBreakTheServer() throws Exception {
    Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    List<String> failures = new CopyOnWriteArrayList<>();
    int validationShare = REQUESTS * 3 / 4;
    long start = System.nanoTime();
    try (RunningServer server = RunningServer.start()) {
      run(server, validationShare, SEED, List.of(), statuses, failures);
    }
    try (Jwts jwts = new Jwts();
         RunningServer server = RunningServer.start(ServerConfig.from(TestConfig.values()
             .put("AUTH_MODE", "jwt").put("JWT_SECRET", Jwts.SECRET)
             .put("JWT_CHANNELS_CLAIM", "channels").put("JWT_PUBLISHER_CLAIM", "publisher")
             .put("RATE_LIMIT_PER_SECOND", 50).put("RATE_LIMIT_BURST", 20).put("RATE_LIMIT_MAX_CALLERS", 1000)
             .put("TRUSTED_PROXIES", "127.0.0.1")))) {
      List<String> good = List.of(
          jwts.hs256(Jwts.claims("42").put("channels", "*").put("publisher", true)),
          jwts.hs256(Jwts.claims("alice").put("channels", "st*")),
          jwts.hs256(Jwts.claims("42").put("exp", 1)),
          jwts.rs256(Jwts.claims("42")),
          Jwts.unsigned(Jwts.claims("42")));
      run(server, REQUESTS - validationShare, SEED + 1, good, statuses, failures);
    }
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    long total = statuses.values().stream().mapToLong(LongAdder::sum).sum();
    System.out.printf("fuzz: %d requests, seed %d, %d s, statuses %s, %d failures%n", total, SEED, seconds,
        new TreeMap<>(statuses), failures.size());
    assertThat(failures).as("seed " + SEED).isEmpty();
    assertThat(total).isEqualTo(REQUESTS);
    assertThat(statuses).containsKeys(200, 400, 404, 405);
  }

  private static void run(RunningServer server, int requests, long seed, List<String> jwts,
      Map<Integer, LongAdder> statuses, List<String> failures) throws InterruptedException {
    List<Thread> lanes = new ArrayList<>();
    AtomicInteger next = new AtomicInteger();
    for (int lane = 0; lane < LANES; lane++) {
      int perLane = requests / LANES + (lane < requests % LANES ? 1 : 0);
      RequestFuzzer fuzzer = new RequestFuzzer(seed * 31 + lane, jwts);
      Thread thread = new Thread(() -> lane(server.port(), fuzzer, perLane, statuses, failures),
          "fuzz-lane-" + lane);
      thread.start();
      lanes.add(thread);
    }
    for (Thread lane : lanes) {
      lane.join();
    }
  }

  private static void lane(int port, RequestFuzzer fuzzer, int count, Map<Integer, LongAdder> statuses,
      List<String> failures) {
    RawHttp http = null;
    RequestFuzzer.Request previous = null;
    for (int i = 0; i < count && failures.size() < 20; i++) {
      RequestFuzzer.Request request = fuzzer.next();
      RequestFuzzer.Request before = previous;
      previous = request;
      RawHttp.Response response;
      try {
        if (http == null) {
          http = RawHttp.connect(port, 15_000);
          before = null;
        }
        response = http.send(request.bytes()).read();
      } catch (IOException e) {
        failures.add("I/O error " + e + " on " + request.summary() + after(before));
        http = close(http);
        continue;
      }
      if (response == null) {
        failures.add("connection dropped without a response on " + request.summary() + after(before));
        http = close(http);
        continue;
      }
      statuses.computeIfAbsent(response.status(), s -> new LongAdder()).increment();
      String problem = problem(response);
      if (problem != null) {
        failures.add(problem + " on " + request.summary() + after(before));
      }
      if (request.closesConnection() || "close".equalsIgnoreCase(response.header("connection"))) {
        http = close(http);
      }
    }
    close(http);
  }

  /** The request sent before on the same connection, since it may have left the connection in a bad state. */
  private static String after(RequestFuzzer.Request before) {
    if (before == null) {
      return " (first on its connection)";
    }
    String text = new String(before.bytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
    return " after [" + abbreviated(text).replace("\r\n", "\\r\\n") + "]";
  }

  /** What is wrong with a response, or null. */
  static String problem(RawHttp.Response response) {
    int status = response.status();
    if (status >= 500) {
      return "status " + status + " " + response.text();
    }
    if (status == 204) {
      return response.body().length == 0 ? null : "204 with a body";
    }
    JsonObject json;
    try {
      json = new JsonObject(response.text());
    } catch (RuntimeException e) {
      return "status " + status + " without a JSON object body: " + abbreviated(response.text());
    }
    if (!"application/json".equals(response.header("content-type"))) {
      return "status " + status + " with content type " + response.header("content-type");
    }
    if (status >= 400) {
      return json.getValue("error") instanceof String error && !error.isBlank() ? null
          : "status " + status + " without an error message: " + abbreviated(response.text());
    }
    if (status == 200) {
      for (String field : json.fieldNames()) {
        Object value = json.getValue(field);
        boolean token = value instanceof String text && text.startsWith("007") && text.length() > 50;
        boolean pong = "message".equals(field) && "pong".equals(value);
        if (!token && !pong) {
          return "200 with " + abbreviated(response.text());
        }
      }
      return json.isEmpty() ? "200 with an empty object" : null;
    }
    return "unexpected status " + status;
  }

  private static String abbreviated(String text) {
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  private static RawHttp close(RawHttp http) {
    if (http != null) {
      http.close();
    }
    return null;
  }
}
