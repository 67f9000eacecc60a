package io.tokenserver;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokenserver.config.AuthConfig;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.connection.OpenConnections;
import io.tokenserver.credentials.Projects;
import io.tokenserver.gate.CallerGate;
import io.tokenserver.http.ApiVerticle;
import io.tokenserver.metrics.HttpMetrics;
import io.tokenserver.metrics.MetricsSetup;
import io.tokenserver.metrics.TokenMetrics;
import io.tokenserver.signing.SigningPool;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Brings the request path to steady speed before the server reports ready: a new JVM serves its first
 * few hundred thousand requests several times slower while the JIT compiles them, and compiles what it sees
 * run. So the warm-up runs the server's own code on the server's own Vert.x: the API verticles with the
 * configured settings, auth mode and rate-limit backend, listening on the configured port, loaded by a Vert.x
 * {@link HttpClient} on the same event loops with one request in flight per connection, as clients send them.
 *
 * <p>What a user could see of it is its own: a caller gate with its own buckets (a rate too high to refuse,
 * under a key prefix of its own on Redis) and counters, token meters and HTTP meters in a registry nobody
 * scrapes. When the time is up, its verticles (and the gate's timers and connections) are undeployed, and the
 * server deploys its own on the same port.
 */
final class WarmUp extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
  /** Connections, one request in flight on each: enough to fill the signing batches, as a load balancer does. */
  static final int CONNECTIONS = 64;
  /** How long a request may take before the warm-up gives up on it: a warm-up never holds the start for long. */
  private static final long REQUEST_TIMEOUT_MS = 5000;
  /** Every token route, a request of each per round; /rtc the most, as in most deployments. */
  private static final List<String> PATHS = List.of(
      "/rtc/warm-up/publisher/uid/%d", "/rtc/warm-up-%d/subscriber/uid/%1$d", "/rtc/warm-up/publisher/uid/%d",
      "/rtc/warm-up/audience/userAccount/user-%d/?expiry=600", "/rtm/user-%d", "/rtc/warm-up/publisher/uid/%d",
      "/rte/warm-up/publisher/uid/%d", "/rte/warm-up/audience/uid/%d/user-%1$d", "/chat/app",
      "/chat/account/user-%d", "/rtc/warm-up/publisher/uid/-1", "POST");

  private final ServerConfig config;
  private final Projects projects;
  private final SigningPool pool;
  private final PrometheusMeterRegistry registry = MetricsSetup.createRegistry();
  private String apiKey;
  private String apis;
  private int port;

  private WarmUp(ServerConfig config, Projects projects, SigningPool pool) {
    this.config = config;
    this.projects = projects;
    this.pool = pool;
  }

  /**
   * Deploys the warm-up's API verticles, drives them for {@code config.warmUp()}, and undeploys them; the future
   * gives the number of requests answered and never fails (a failed warm-up only makes the first seconds slower).
   */
  static Future<Long> run(ServerConfig config, Projects projects, SigningPool pool, Vertx vertx) {
    if (config.warmUp().isZero()) {
      return Future.succeededFuture(0L);
    }
    long startNanos = System.nanoTime();
    WarmUp warmUp = new WarmUp(config, projects, pool);
    AtomicLong answered = new AtomicLong();
    return vertx.deployVerticle(warmUp)
        .compose(deployment -> warmUp.drive(vertx)
            .onSuccess(answered::set)
            .eventually(() -> vertx.undeploy(deployment)))
        .onFailure(failure -> LOG.warn("warm-up stopped early: {}", failure.toString()))
        .transform(ignored -> {
          LOG.info("warm-up: {} requests on port {} in {} ms", answered.get(), warmUp.port,
              (System.nanoTime() - startNanos) / 1_000_000);
          return Future.succeededFuture(answered.get());
        });
  }

  /** The gate and verticles live in this verticle's context: undeploying it stops the gate's timers too. */
  @Override
  public Future<?> start() {
    ServerConfig settings = settings(config);
    TokenMetrics metrics = new TokenMetrics(projects.names());
    HttpMetrics http = settings.httpMetrics() ? new HttpMetrics() : null;
    MetricsSetup.bind(registry, http == null ? List.of(metrics) : List.of(metrics, http));
    OpenConnections connections = OpenConnections.of(settings);
    return vertx.executeBlocking(() -> firstApiKey(settings))
        .compose(key -> {
          apiKey = key;
          return CallerGate.create(vertx, settings);
        })
        .compose(gate -> {
          List<ApiVerticle> instances = new CopyOnWriteArrayList<>();
          return vertx.deployVerticle(() -> {
            ApiVerticle api = new ApiVerticle(settings, projects, pool, metrics, http, gate, connections);
            instances.add(api);
            return api;
          }, new DeploymentOptions().setInstances(settings.eventLoops())).map(deployment -> {
            apis = deployment;
            port = instances.get(0).actualPort();
            return null;
          });
        });
  }

  @Override
  public Future<?> stop() {
    return apis == null ? Future.succeededFuture() : vertx.undeploy(apis);
  }

  /**
   * The configured settings, but a rate limit that never refuses the warm-up, on buckets of its own (on Redis
   * under a key prefix of its own); with {@code AUTH_MODE=jwt} no caller authentication, since the server
   * cannot make a caller's token.
   */
  static ServerConfig settings(ServerConfig config) {
    return config.toBuilder()
        .rateLimit(config.rateLimit().unrefused("warm-up:"))
        .auth(config.auth().mode() == AuthConfig.Mode.JWT ? AuthConfig.none() : config.auth())
        .drainDelay(Duration.ZERO)
        .drainTimeout(Duration.ZERO)
        .build();
  }

  private String firstApiKey(ServerConfig settings) {
    return settings.auth().mode() != AuthConfig.Mode.API_KEY ? null
        : settings.auth().currentApiKeys(projects.names()).get(0).key();
  }

  /**
   * {@link #CONNECTIONS} connections, each sending its next request as soon as the last is answered, cycling
   * through {@link #PATHS}, until the warm-up time is up; every request is bounded by {@link #REQUEST_TIMEOUT_MS}.
   */
  private Future<Long> drive(Vertx vertx) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions()
            .setDefaultHost(loopbackOr(config.host())).setDefaultPort(port).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(CONNECTIONS));
    AtomicLong answered = new AtomicLong();
    AtomicInteger running = new AtomicInteger(CONNECTIONS);
    Promise<Long> done = Promise.promise();
    // One request alone first: the one-time work of a first request (class loading, the signing threads) would
    // otherwise hold up all the connections' first requests at once. The warm-up time counts from its answer.
    send(client, 0).onComplete(opening -> {
      long deadline = System.nanoTime() + config.warmUp().toNanos();
      for (int lane = 0; lane < CONNECTIONS; lane++) {
        next(client, lane, deadline, answered, () -> {
          if (running.decrementAndGet() == 0) {
            done.complete(answered.get());
          }
        });
      }
    });
    return done.future().eventually(client::close);
  }

  private void next(HttpClient client, long sequence, long deadline, AtomicLong answered, Runnable laneDone) {
    if (System.nanoTime() >= deadline) {
      laneDone.run();
      return;
    }
    send(client, sequence).onComplete(answer -> {
      if (answer.succeeded()) {
        answered.incrementAndGet();
        next(client, sequence + CONNECTIONS, deadline, answered, laneDone);
      } else {
        laneDone.run(); // a request that failed or timed out ends its lane: the warm-up never retries
      }
    });
  }

  /** Request number {@code sequence} of the cycle through {@link #PATHS}; the future completes with its body. */
  private Future<Buffer> send(HttpClient client, long sequence) {
    String path = PATHS.get((int) (sequence % PATHS.size()));
    long uid = 100_000 + sequence % 10_000;
    boolean post = path.equals("POST");
    RequestOptions request = new RequestOptions()
        .setMethod(post ? HttpMethod.POST : HttpMethod.GET)
        .setURI(post ? "/getToken" : String.format(path, uid))
        .setIdleTimeout(REQUEST_TIMEOUT_MS);
    if (apiKey != null) {
      request.putHeader("X-API-Key", apiKey);
    }
    if (post) {
      request.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    }
    Buffer body = post ? Buffer.buffer("{\"tokenType\":\"rtc\",\"channel\":\"warm-up\",\"role\":\"publisher\",\"uid\":"
        + uid + "}") : null;
    return client.request(request)
        .compose(outgoing -> body == null ? outgoing.send() : outgoing.send(body))
        .compose(response -> response.body());
  }

  /** Where the warm-up connects: loopback when the server listens on every address. */
  private static String loopbackOr(String host) {
    return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
  }
}
