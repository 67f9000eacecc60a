package io.tokenserver.http;

import io.tokenserver.config.ProtocolLimits;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.connection.ConnectionGuard;
import io.tokenserver.credentials.Projects;
import io.tokenserver.gate.CallerGate;
import io.tokenserver.connection.InvalidRequests;
import io.tokenserver.connection.OpenConnections;
import io.tokenserver.metrics.HttpMetrics;
import io.tokenserver.metrics.TokenMetrics;
import io.tokenserver.signing.SigningPool;
import io.tokenserver.token.ExpiryPolicy;
import io.tokenserver.token.TokenRequestParser;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

import java.util.concurrent.TimeUnit;

/**
 * One instance per event loop, all sharing the public port. Requests go to the router of the live {@link Stage}, or,
 * from the start until {@link #goLive}, to the warm-up's: the same routes, handlers and classes, so that what the
 * JIT compiled for the warm-up is what serves the first users.
 */
public final class ApiVerticle extends VerticleBase {

  /**
   * What differs between the warm-up and users: the settings the router is built from, the caller gate (whose
   * buckets pay) and the meters (where a request counts). {@code http} is null when there are no HTTP meters.
   */
  public record Stage(ServerConfig settings, CallerGate gate, TokenMetrics metrics, HttpMetrics http) {
  }

  private final ServerConfig config;
  private final Projects projects;
  private final SigningPool pool;
  private final OpenConnections openConnections;
  private final Stage live;
  /** Null from {@link #goLive} on: nothing of the warm-up is kept once users are served. */
  private volatile Stage warmUp;
  private HttpServer server;
  private ConnectionGuard guard;
  private Router liveRouter;
  /** The router requests go to: the warm-up's, then the live one. A field read, not a branch, per request. */
  private volatile Router router;
  private volatile boolean draining;

  /**
   * {@code openConnections} and the stages are shared by every instance of the process; {@code warmUp} is null when
   * there is no warm-up.
   */
  public ApiVerticle(ServerConfig config, Projects projects, SigningPool pool, OpenConnections openConnections,
      Stage live, Stage warmUp) {
    this.config = config;
    this.projects = projects;
    this.pool = pool;
    this.openConnections = openConnections;
    this.live = live;
    this.warmUp = warmUp;
  }

  @Override
  public Future<?> start() {
    SigningPool.Batcher signing = pool.batcher(context);
    TokenRequestParser parser = new TokenRequestParser(
        new ExpiryPolicy(config.defaultExpirySeconds(), config.maxExpirySeconds()));
    InspectHandler inspect = new InspectHandler(projects);
    liveRouter = router(live, parser, signing, inspect);
    router = warmUp == null ? liveRouter : router(warmUp, parser, signing, inspect);
    ProtocolLimits limits = config.protocolLimits();
    guard = new ConnectionGuard(vertx, limits, openConnections, Responses.NO_CACHE);
    // Port 0 as -1: Vert.x gives every instance listening on the same negative port one shared free port.
    HttpServerOptions options = withLimits(new HttpServerOptions().setHost(config.host())
        .setPort(config.port() == 0 ? -1 : config.port()), limits);
    server = vertx.createHttpServer(options)
        .connectionHandler(connection -> guard.onConnection(connection, options))
        .invalidRequestHandler(request -> InvalidRequests.handle(guard, request, limits.maxHeaderSize(),
            limits.maxInitialLineLength()))
        .requestHandler(request -> {
          if (!guard.admit(request)) {
            return;
          }
          if (draining) {
            // This answer ends its kept-alive connection, in Vert.x's graceful way: closed once the answer is
            // written. Not bounded by the drain timeout alone, which applies only after the delay (stop()).
            request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            request.connection().shutdown(config.drainDelay().plus(config.drainTimeout()).toMillis(),
                TimeUnit.MILLISECONDS);
          }
          // Set here, not in a route, so 404/405/413 and CORS answers carry them too.
          request.response().headers().addAll(Responses.NO_CACHE);
          router.handle(request);
        });
    return server.listen();
  }

  /** {@code stage}'s router; the parser, the signing hand-off and inspection are the same for both stages. */
  private Router router(Stage stage, TokenRequestParser parser, SigningPool.Batcher signing, InspectHandler inspect) {
    return ApiRouter.create(vertx, stage.settings(), new TokenHandlers(parser, projects, signing, stage.metrics()),
        stage.gate(), inspect, stage.http());
  }

  /** From now on every request, on every connection, is checked against and counted in the live stage. */
  public void goLive() {
    router = liveRouter;
    warmUp = null;
  }

  /** The port the server listens on (the configured one, or the one picked for port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private static HttpServerOptions withLimits(HttpServerOptions options, ProtocolLimits limits) {
    return options
        .setMaxHeaderSize(limits.maxHeaderSize())
        .setMaxInitialLineLength(limits.maxInitialLineLength())
        .setIdleTimeout(limits.idleTimeoutSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        // No cleartext HTTP/2: "Upgrade: h2c" lets clients tunnel past proxy rules (h2c smuggling), and
        // without the h2c sniffing every connection is known, and guarded, from its first byte.
        .setHttp2ClearTextEnabled(false);
  }

  /**
   * The start of a drain: from now on every answer says {@code Connection: close} and ends its connection, so
   * kept-alive clients reconnect, by then to another instance, while this one still accepts and answers.
   */
  public void startDraining() {
    draining = true;
  }

  /**
   * Stops accepting, closes idle connections at once and every other one after the answer in progress, and lets
   * in-flight requests finish for at most the drain timeout (Vert.x's {@link HttpServer#shutdown}).
   */
  @Override
  public Future<?> stop() {
    guard.close();
    return server.shutdown(config.drainTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }
}
