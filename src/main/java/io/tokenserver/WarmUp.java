package io.tokenserver;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.credentials.Projects;
import io.tokenserver.gate.CallerGate;
import io.tokenserver.http.ApiVerticle;
import io.tokenserver.metrics.HttpMetrics;
import io.tokenserver.metrics.MetricsSetup;
import io.tokenserver.metrics.TokenMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Brings the request path to steady speed before the server reports ready: a new JVM serves its first
 * few hundred thousand requests several times slower while the JIT compiles them, and compiles what it sees
 * run. So the warm-up runs the server's own API verticles, on its listener, through the same routes and handlers
 * with the configured rate-limit backend, loaded over loopback by a {@link LoopbackLoad} with one request in
 * flight per connection, as clients send them.
 *
 * <p>Until {@link ApiVerticle#goLive} the verticles route every request through the warm-up's {@link #stage}: a
 * caller gate that admits only a one-time random API key this process made (so nobody else gets a token before
 * ready, whatever the auth mode), with buckets of its own (a rate too high to refuse, under a key prefix of its own
 * on Redis), and token and HTTP meters in a registry nobody scrapes. This verticle owns that gate: undeploying it
 * closes the gate's timers and connections.
 */
final class WarmUp extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
  /** Connections, one request in flight on each: enough to fill the signing batches, as a load balancer does. */
  static final int CONNECTIONS = 64;
  /** Requests built before the warm-up starts, sent in turn: channels and users vary as in real traffic. */
  private static final int DISTINCT_REQUESTS = 1024;
  /** How long a request may take before the warm-up gives up on it: a warm-up never holds the start for long. */
  private static final long REQUEST_TIMEOUT_MS = 5000;
  /**
   * 50 ms of load, then 50 ms of none. Under constant load the JIT's compiler threads get a third of a core and
   * are still compiling the request path when the warm-up ends; in the pauses they get all of it. On one core
   * the first second after ready went from 0.55-0.84 of steady (median 0.69) to 0.77-0.82 (docs/benchmarks.md).
   */
  private static final LoopbackLoad.Pacing PACING = new LoopbackLoad.Pacing(TimeUnit.MILLISECONDS.toNanos(50), 50);
  /**
   * A round of requests: every token route, but mostly /rtc, as in most deployments. The JIT compiles what runs
   * often; a warm-up spread evenly over every route and refusal left /rtc half compiled when it ended. Two in a
   * row have UUID names (%2$s, %3$s), whose tokens the token compressor leaves to zlib: users' tokens of both
   * kinds then run compiled code from the first (docs/benchmarks.md).
   */
  private static final List<String> PATHS = List.of(
      "/rtc/warm-up-%d/publisher/uid/%1$d", "/rtc/warm-up-%d/subscriber/uid/%1$d", "/rtc/warm-up/publisher/uid/%d",
      "/rtc/warm-up-%d/publisher/uid/%1$d", "/rtc/warm-up-%d/audience/uid/%1$d", "/rtc/warm-up/publisher/uid/%d",
      "/rtc/warm-up-%d/publisher/uid/%1$d", "/rtc/warm-up-%d/subscriber/uid/%1$d", "/rtm/user-%d",
      "/rtc/warm-up-%d/publisher/uid/%1$d", "/rtc/warm-up/audience/userAccount/user-%d", "/rte/warm-up/publisher/uid/%d",
      "/rtc/warm-up-%d/publisher/uid/%1$d", "/rtc/%2$s/publisher/userAccount/%3$s",
      "/rtc/%3$s/subscriber/userAccount/%2$s", "/rtc/warm-up-%d/subscriber/uid/%1$d", "/chat/account/user-%d", "POST");

  /**
   * The last part of the warm-up, after the start-up's one-time steps ({@link #run}), at most a quarter of
   * {@code WARMUP_SECONDS}; the rest comes before them. Under this load the JIT has recompiled what those steps
   * threw away well within it (JFR, docs/benchmarks.md).
   */
  static final Duration FINAL_PART = Duration.ofSeconds(1);

  private final ServerConfig config;
  private final Projects projects;
  /** The only credential the warm-up's gate admits; never logged, never leaves the process but over loopback. */
  private final String apiKey = randomKey();
  private final PrometheusMeterRegistry registry = MetricsSetup.createRegistry();
  private ApiVerticle.Stage stage;

  private WarmUp(ServerConfig config, Projects projects) {
    this.config = config;
    this.projects = projects;
  }

  /**
   * The warm-up for {@code config}, its gate ready; null when {@code WARMUP_SECONDS} is 0. Deployed on
   * {@code vertx}, whose API verticles it will drive.
   */
  static Future<WarmUp> prepare(ServerConfig config, Projects projects, Vertx vertx) {
    if (config.warmUp().isZero()) {
      return Future.succeededFuture(null);
    }
    WarmUp warmUp = new WarmUp(config, projects);
    return vertx.deployVerticle(warmUp).map(warmUp);
  }

  @Override
  public Future<?> start() {
    ServerConfig settings = settings(config);
    TokenMetrics metrics = new TokenMetrics(projects.names());
    HttpMetrics http = settings.httpMetrics() ? new HttpMetrics() : null;
    MetricsSetup.bind(registry, http == null ? List.of(metrics) : List.of(metrics, http));
    return CallerGate.forWarmUp(vertx, settings, apiKey)
        .map(gate -> stage = new ApiVerticle.Stage(settings, gate, metrics, http));
  }

  /** What the API verticles check and count warm-up requests against. */
  ApiVerticle.Stage stage() {
    return stage;
  }

  /**
   * The configured settings, with a rate limit that never refuses the warm-up, on buckets of its own (on Redis
   * under a key prefix of its own), and no access log; its gate admits only the warm-up's key
   * ({@link CallerGate#forWarmUp}).
   */
  static ServerConfig settings(ServerConfig config) {
    return config.toBuilder()
        .rateLimit(config.rateLimit().unrefused("warm-up:"))
        .accessLog(false)
        .build();
  }

  /**
   * Drives the API verticles listening on {@code port} for {@code WARMUP_SECONDS}, then runs {@code goLive} on the
   * warm-up's thread as soon as the last answer is in; the future gives the number of requests answered and never
   * fails (a failed warm-up only makes the first seconds slower).
   *
   * <p>In two parts, with the one-time steps between them that would otherwise come between the warm-up and the
   * first users: logging and completing the start-up's futures. Those steps run hot methods of the request path
   * (completing futures, {@code ThreadLocal.get}, {@code HashMap.put}) with types and branches the warm-up never
   * showed them, and the JIT throws their compiled code away; the {@link #FINAL_PART} recompiles it. So does
   * resolving a route's meters, which users' first requests do once more in the live meters: the warm-up forgets
   * its own between the parts. Going live is two field writes, which throw nothing away.
   */
  Future<Long> run(int port, Runnable goLive) {
    long startNanos = System.nanoTime();
    Duration quarter = config.warmUp().dividedBy(4);
    Duration last = quarter.compareTo(FINAL_PART) < 0 ? quarter : FINAL_PART;
    Duration first = config.warmUp().minus(last);
    LoopbackLoad load = new LoopbackLoad(new InetSocketAddress(loopbackOr(config.host()), port), requests(port),
        TimeUnit.MILLISECONDS.toNanos(REQUEST_TIMEOUT_MS), PACING);
    AtomicLong answered = new AtomicLong();
    return drive(load, first, true, () -> { })
        .compose(requests -> {
          answered.set(requests);
          LOG.info("warm-up: {} requests on port {} in {} ms, {} ms more to go", requests, port,
              (System.nanoTime() - startNanos) / 1_000_000, last.toMillis());
          if (stage.http() != null) {
            stage.http().forgetResolvedMeters();
          }
          return drive(load, last, false, goLive);
        })
        .map(requests -> answered.addAndGet(requests))
        .recover(failure -> {
          // Users are served either way: going live never waits on a warm-up that failed.
          LOG.warn("warm-up stopped early: {}", failure.toString());
          goLive.run();
          return Future.succeededFuture(answered.get());
        });
  }

  /** Closes the warm-up's gate (its timers, its Redis connections); call it after the verticles went live. */
  Future<Void> close() {
    return vertx.undeploy(deploymentID());
  }

  /**
   * {@link #CONNECTIONS} connections of {@code load} on a thread of its own, cycling through {@link #PATHS} in
   * bursts ({@link #PACING}) for {@code duration}, every request bounded by {@link #REQUEST_TIMEOUT_MS}; then
   * {@code atEnd} on that thread, and the future completes on this verticle's event loop with the requests answered.
   */
  private Future<Long> drive(LoopbackLoad load, Duration duration, boolean opening, Runnable atEnd) {
    Promise<Long> done = Promise.promise();
    Thread client = new Thread(() -> {
      try {
        // One request alone first: the one-time work of a first request (class loading, the signing threads)
        // would otherwise hold up all the connections' first requests at once. The time counts from its answer.
        LoopbackLoad.Result first = opening ? load.run(1, System.nanoTime()) : null;
        LoopbackLoad.Result result = first != null && first.answered() == 0 ? first
            : load.run(CONNECTIONS, System.nanoTime() + duration.toNanos());
        if (result.connectionsLost() > 0) {
          LOG.warn("warm-up: {} of its connections got no answer, an error or a refusal", result.connectionsLost());
        }
        atEnd.run();
        // When the opening request got no answer, result is that same run: it adds nothing twice.
        long answered = (first == null ? 0 : first.answered()) + result.answered();
        context.runOnContext(ignored -> done.complete(answered));
      } catch (IOException | RuntimeException failed) {
        context.runOnContext(ignored -> done.fail(failed));
      }
    }, "warm-up-client");
    client.setDaemon(true);
    client.start();
    return done.future();
  }

  /** The requests the warm-up sends, each once per round: every route, with users that differ. */
  private List<byte[]> requests(int port) {
    String host = "Host: " + loopbackOr(config.host()) + ":" + port + "\r\n"
        + "X-API-Key: " + apiKey + "\r\n";
    List<byte[]> requests = new ArrayList<>();
    Random names = new Random(DISTINCT_REQUESTS);
    for (int sequence = 0; sequence < DISTINCT_REQUESTS; sequence++) {
      String pathFormat = PATHS.get(sequence % PATHS.size());
      long uid = 100_000 + sequence;
      String request;
      if (pathFormat.equals("POST")) {
        String body = "{\"tokenType\":\"rtc\",\"channel\":\"warm-up\",\"role\":\"publisher\",\"uid\":" + uid + "}";
        request = "POST /getToken HTTP/1.1\r\n" + host + "Content-Type: application/json\r\nContent-Length: "
            + body.length() + "\r\n\r\n" + body;
      } else {
        String path = String.format(pathFormat, uid, new UUID(names.nextLong(), names.nextLong()),
            new UUID(names.nextLong(), names.nextLong()));
        request = "GET " + path + " HTTP/1.1\r\n" + host + "\r\n";
      }
      requests.add(request.getBytes(StandardCharsets.UTF_8));
    }
    return requests;
  }

  private static String randomKey() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** Where the warm-up connects: loopback when the server listens on every address. */
  private static String loopbackOr(String host) {
    return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
  }
}
