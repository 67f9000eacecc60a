package io.tokenserver;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokenserver.gate.CallerGate;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.connection.OpenConnections;
import io.tokenserver.http.ApiVerticle;
import io.tokenserver.http.InspectHandler;
import io.tokenserver.credentials.Projects;
import io.tokenserver.http.ManagementServer;
import io.tokenserver.metrics.BuildInfo;
import io.tokenserver.metrics.HttpMetrics;
import io.tokenserver.metrics.MetricsSetup;
import io.tokenserver.metrics.TokenMetrics;
import io.tokenserver.ratelimit.RateLimiter;
import io.tokenserver.signing.SigningPool;
import io.tokenserver.token.TokenMinter;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The assembled server: one Vert.x (with metrics) for the API, the signing pool and one API verticle per event
 * loop, and one small Vert.x for the management port. Readiness is true only between a completed start and the start of a drain, and
 * while the caller gate can check callers.
 */
public final class TokenServer {

  private final Vertx vertx;
  private final Vertx managementVertx;
  private final SigningPool pool;
  private final ServerConfig config;
  private final List<ApiVerticle> apis = new CopyOnWriteArrayList<>();
  /** True from a completed start to the start of a drain. */
  private volatile boolean started;
  /** False while the caller gate cannot check callers yet (not created, or a JWKS not fetched). */
  private volatile BooleanSupplier callersCheckable = () -> false;
  private volatile RateLimiter limiter;
  private final Projects projects;
  private volatile String apiDeployment;
  private volatile long warmUpRequests;
  private volatile int port;
  private volatile int managementPort;

  private TokenServer(Vertx vertx, Vertx managementVertx, SigningPool pool, ServerConfig config, Projects projects) {
    this.projects = projects;
    this.vertx = vertx;
    this.managementVertx = managementVertx;
    this.pool = pool;
    this.config = config;
  }

  /** Starts everything for the single project; {@code minter} signs every token (tests pass gated or counting minters). */
  public static Future<TokenServer> start(ServerConfig config, TokenMinter minter) {
    return start(config, Projects.single(config.projects(), minter));
  }

  /**
   * Starts everything; each of {@code projects} signs with its own minter. In this order: the management port
   * (readiness 503), the caller gate, the API verticles on the API port, the warm-up through them, at whose last
   * answer the verticles go live and readiness may turn 200; then the warm-up's gate closes.
   */
  public static Future<TokenServer> start(ServerConfig config, Projects projects) {
    CallerGate.warnIfInsecure(config);
    PrometheusMeterRegistry registry = MetricsSetup.createRegistry();
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(config.eventLoops()).setPreferNativeTransport(true))
        .build();
    TokenMetrics metrics = new TokenMetrics(projects.names());
    HttpMetrics http = config.httpMetrics() ? new HttpMetrics() : null;
    SigningPool pool = new SigningPool(vertx, config.signingPoolSize(), config.signingMaxPending());
    // The management port gets a Vert.x of its own: probes keep answering while the API loops are saturated,
    // and scrapes and probes stay out of the API's HTTP metrics.
    Vertx managementVertx = Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1))
        .build();
    TokenServer server = new TokenServer(vertx, managementVertx, pool, config, projects);
    AtomicReference<WarmUp> warmUp = new AtomicReference<>();

    // The probes answer 503 until the end: while the caller gate gets ready (a JWKS may be fetched over the
    // network), and while the warm-up runs (ready means warm, not the first seconds of JIT compilation).
    return ManagementServer.start(managementVertx, config.managementHost(), config.managementPort(), registry,
            server.readinessChecks(), new InspectHandler(projects))
        .compose(management -> {
          server.managementPort = management.actualPort();
          return CallerGate.create(vertx, config);
        })
        .compose(gate -> {
          server.callersCheckable = gate::ready;
          server.limiter = gate.rateLimiter();
          return WarmUp.prepare(config, projects, vertx).compose(prepared -> {
            warmUp.set(prepared);
            OpenConnections connections = OpenConnections.of(config);
            // Every meter the scrape shows, from this one list, bound before the first user request.
            List<MeterBinder> binders = new ArrayList<>(List.of(MetricsSetup.jvmAndProcess(), new BuildInfo(),
                metrics, TokenMetrics.signingPool(pool), gate, connections, projects.reloadMeters()));
            if (http != null) {
              binders.add(http);
            }
            MetricsSetup.bind(registry, binders);
            ApiVerticle.Stage live = new ApiVerticle.Stage(config, gate, metrics, http);
            return vertx.deployVerticle(() -> {
              ApiVerticle api = new ApiVerticle(config, projects, pool, connections, live,
                  prepared == null ? null : prepared.stage());
              server.apis.add(api);
              return api;
            }, new DeploymentOptions().setInstances(config.eventLoops()));
          });
        })
        .compose(deployment -> {
          server.apiDeployment = deployment;
          server.port = server.apis.get(0).actualPort();
          WarmUp prepared = warmUp.get();
          // Going live and ready: plain field writes, on the warm-up's thread once its last answer is in.
          Runnable goLive = () -> {
            server.apis.forEach(ApiVerticle::goLive);
            server.started = true;
          };
          if (prepared == null) {
            goLive.run();
            return Future.succeededFuture(0L);
          }
          return prepared.run(server.port, goLive);
        })
        .compose(warmedWith -> {
          server.warmUpRequests = warmedWith;
          WarmUp prepared = warmUp.get();
          return prepared == null ? Future.succeededFuture(server) : prepared.close().map(server);
        })
        .recover(failure -> {
          server.started = false;
          pool.close();
          // Not awaited: a future of the closing instance cannot complete on its own event loop.
          vertx.close();
          managementVertx.close();
          return Future.failedFuture(failure);
        });
  }

  /**
   * Polls each project's credential files ({@code APP_ID_FILE}/{@code APP_CERTIFICATE_FILE}, or those of
   * {@code APPS_FILE}), and puts new valid values in force without a restart.
   */
  public void watchCredentials(Projects projects) {
    projects.watch(vertx);
  }

  /** Requests the start-up warm-up answered (0 when it is off). */
  public long warmUpRequests() {
    return warmUpRequests;
  }

  public boolean isReady() {
    return started && callersCheckable.getAsBoolean();
  }

  /** What /health/ready runs and lists, each check read once per probe: the server is ready when all are UP. */
  private HealthChecks readinessChecks() {
    return HealthChecks.create(managementVertx)
        .register("started", check -> check.complete(new Status().setOk(started)))
        .register("callers", check -> check.complete(new Status().setOk(callersCheckable.getAsBoolean())))
        // A rejected reload keeps the credentials in force, so every project always has a pair to sign with.
        .register("credentials", check -> check.complete(new Status().setOk(projects.all().stream()
            .allMatch(project -> project.credentials().get() != null))
            .setData(new JsonObject().put("projects", projects.names().size()))))
        // Reported, never DOWN: in a spike every replica is saturated, and readiness down on all of them would
        // leave the Service with no endpoint at all; the pool answers 503 to what it cannot take instead.
        .register("signing", check -> check.complete(new Status().setOk(true).setData(new JsonObject()
            .put("pending", pool.pending()).put("maxPending", pool.maxPending())
            .put("saturated", pool.pending() >= pool.maxPending()))))
        // UP while the backend answers or, when it does not, while its fallback policy is in force.
        .register("rate-limit", check -> {
          RateLimiter current = limiter;
          JsonObject data = current == null ? new JsonObject().put("enabled", false)
              : new JsonObject().put("enabled", true).put("backend", config.rateLimit().backend().name().toLowerCase(
                  Locale.ROOT)).put("backendUp", current.backendUp());
          check.complete(new Status().setOk(true).setData(data));
        });
  }

  /** The API port the server listens on: the configured one, or the free one it got for {@code PORT=0}. */
  public int port() {
    return port;
  }

  /** The management port it listens on: the configured one, or the free one it got for {@code MANAGEMENT_PORT=0}. */
  public int managementPort() {
    return managementPort;
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * Graceful stop. Readiness turns 503 at once, and every answer from then on says {@code Connection: close};
   * the API port keeps accepting and answering for the drain delay, long enough for load balancers to stop
   * sending here. Then the API servers stop accepting, close idle connections, finish in-flight requests
   * (bounded by the drain timeout), and everything closes.
   */
  public CompletableFuture<Void> shutdown() {
    // In this order: whoever sees readiness down also gets Connection: close on every answer.
    apis.forEach(ApiVerticle::startDraining);
    started = false;
    Future<Void> drained = apiDeployment == null ? Future.succeededFuture()
        : drainDelay().compose(ignored -> vertx.undeploy(apiDeployment));
    // Close Vert.x from a thread of its own: a future of the closing instance cannot complete on its loops.
    return drained.andThen(ignored -> pool.close()).toCompletionStage().toCompletableFuture()
        .handle((ignored, failure) -> null)
        .thenComposeAsync(ignored -> vertx.close().toCompletionStage())
        .thenComposeAsync(ignored -> managementVertx.close().toCompletionStage());
  }

  private Future<Void> drainDelay() {
    return config.drainDelay().isZero() ? Future.succeededFuture()
        : vertx.timer(config.drainDelay().toMillis(), TimeUnit.MILLISECONDS);
  }
}
