package io.tokenserver;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokenserver.auth.CallerGate;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.connection.OpenConnections;
import io.tokenserver.http.ApiVerticle;
import io.tokenserver.credentials.Projects;
import io.tokenserver.http.ManagementServer;
import io.tokenserver.metrics.MetricsSetup;
import io.tokenserver.metrics.TokenMetrics;
import io.tokenserver.signing.SigningPool;
import io.tokenserver.token.TokenMinter;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The assembled server: its own Vert.x (with metrics), the management port, the signing pool and one API
 * verticle per event loop. Readiness is true only between a completed start and the start of a drain.
 */
public final class TokenServer {

  private final Vertx vertx;
  private final Vertx managementVertx;
  private final SigningPool pool;
  private final ServerConfig config;
  private final MeterRegistry registry;
  private final AtomicBoolean ready = new AtomicBoolean();
  /** False while the caller gate cannot check callers yet (a JWKS not fetched). */
  private volatile BooleanSupplier callersCheckable = () -> true;
  private volatile String apiDeployment;
  private volatile long warmUpRequests;

  private TokenServer(Vertx vertx, Vertx managementVertx, SigningPool pool, ServerConfig config,
      MeterRegistry registry) {
    this.vertx = vertx;
    this.managementVertx = managementVertx;
    this.pool = pool;
    this.config = config;
    this.registry = registry;
  }

  /** Starts everything for the single project; {@code minter} signs every token (tests pass gated or counting minters). */
  public static Future<TokenServer> start(ServerConfig config, TokenMinter minter) {
    return start(config, Projects.single(config.projects(), minter));
  }

  /** Starts everything; each of {@code projects} signs with its own minter. */
  public static Future<TokenServer> start(ServerConfig config, Projects projects) {
    PrometheusMeterRegistry registry = MetricsSetup.createRegistry();
    VertxOptions options = new VertxOptions()
        .setEventLoopPoolSize(config.eventLoops())
        .setPreferNativeTransport(true);
    Vertx vertx = config.httpMetrics()
        ? Vertx.builder().with(options.setMetricsOptions(MetricsSetup.vertxMetricsOptions()))
            .withMetrics(new MicrometerMetricsFactory(registry)).build()
        : Vertx.builder().with(options).build();
    TokenMetrics metrics = new TokenMetrics(registry, projects.names());
    SigningPool pool = new SigningPool(config.signingPoolSize(), config.signingMaxPending());
    metrics.bind(pool);
    // The management port gets a Vert.x of its own: probes keep answering while the API loops are saturated,
    // and scrapes and probes stay out of the API's HTTP metrics.
    Vertx managementVertx = Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1))
        .build();
    TokenServer server = new TokenServer(vertx, managementVertx, pool, config, registry);
    WarmUp warmUp = WarmUp.prepare(config);

    return ManagementServer.start(managementVertx, config.host(), config.managementPort(), registry, server::isReady)
        // While the probes answer 503: ready means warm, not the first seconds of JIT compilation.
        .compose(management -> warmUp == null ? Future.succeededFuture(0L) : warmUp.run())
        .compose(warmedWith -> {
          server.warmUpRequests = warmedWith;
          return CallerGate.create(vertx, config, registry);
        })
        .map(gate -> {
          server.callersCheckable = gate::ready;
          return gate;
        })
        // The probes already answer 503 while the caller gate gets ready (a JWKS may be fetched over the network).
        .compose(gate -> {
          OpenConnections connections = OpenConnections.of(config);
          MetricsSetup.bind(registry, gate, connections);
          return vertx.deployVerticle(() -> new ApiVerticle(config, projects, pool, metrics, gate, connections),
              new DeploymentOptions().setInstances(config.eventLoops()));
        })
        .map(deployment -> {
          server.apiDeployment = deployment;
          server.ready.set(true);
          return server;
        })
        .recover(failure -> {
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
    projects.watch(vertx, registry);
  }

  /** Requests the start-up warm-up answered on its throwaway copy of the server (0 when it is off). */
  public long warmUpRequests() {
    return warmUpRequests;
  }

  public boolean isReady() {
    return ready.get() && callersCheckable.getAsBoolean();
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * Graceful stop: readiness turns 503 first, then the API servers stop accepting and finish in-flight
   * requests (bounded by the drain timeout), then everything closes.
   */
  public CompletableFuture<Void> shutdown() {
    ready.set(false);
    Future<Void> drained = apiDeployment == null ? Future.succeededFuture() : vertx.undeploy(apiDeployment);
    // Close Vert.x from a thread of its own: a future of the closing instance cannot complete on its loops.
    return drained.andThen(ignored -> pool.close()).toCompletionStage().toCompletableFuture()
        .handle((ignored, failure) -> null)
        .thenComposeAsync(ignored -> vertx.close().toCompletionStage())
        .thenComposeAsync(ignored -> managementVertx.close().toCompletionStage());
  }
}
