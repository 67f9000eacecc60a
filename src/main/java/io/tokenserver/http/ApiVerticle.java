package io.tokenserver.http;

import io.tokenserver.auth.CallerGate;
import io.tokenserver.config.ProtocolLimits;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.connection.ConnectionGuard;
import io.tokenserver.credentials.Projects;
import io.tokenserver.connection.InvalidRequests;
import io.tokenserver.connection.OpenConnections;
import io.tokenserver.metrics.TokenMetrics;
import io.tokenserver.signing.SigningPool;
import io.tokenserver.token.ExpiryPolicy;
import io.tokenserver.token.TokenRequestParser;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

import java.util.concurrent.TimeUnit;

/** One instance per event loop, all sharing the public port. */
public final class ApiVerticle extends VerticleBase {

  private final ServerConfig config;
  private final Projects projects;
  private final SigningPool pool;
  private final TokenMetrics metrics;
  private final CallerGate gate;
  private final OpenConnections openConnections;
  private HttpServer server;
  private ConnectionGuard guard;

  /** {@code gate} and {@code openConnections} are shared by every instance of the process. */
  public ApiVerticle(ServerConfig config, Projects projects, SigningPool pool, TokenMetrics metrics,
      CallerGate gate, OpenConnections openConnections) {
    this.config = config;
    this.projects = projects;
    this.pool = pool;
    this.metrics = metrics;
    this.gate = gate;
    this.openConnections = openConnections;
  }

  @Override
  public Future<?> start() {
    TokenRequestParser parser = new TokenRequestParser(
        new ExpiryPolicy(config.defaultExpirySeconds(), config.maxExpirySeconds()));
    Router router = ApiRouter.create(vertx, config, new TokenHandlers(parser, projects, pool.batcher(context), metrics),
        gate);
    ProtocolLimits limits = config.protocolLimits();
    guard = new ConnectionGuard(vertx, limits, openConnections, Responses.NO_CACHE);
    HttpServerOptions options = withLimits(new HttpServerOptions().setHost(config.host()).setPort(config.port()),
        limits);
    server = vertx.createHttpServer(options)
        .connectionHandler(connection -> guard.onConnection(connection, options))
        .invalidRequestHandler(request -> InvalidRequests.handle(guard, request, limits.maxHeaderSize(),
            limits.maxInitialLineLength()))
        .requestHandler(request -> {
          if (!guard.admit(request)) {
            return;
          }
          // Set here, not in a route, so 404/405/413 and CORS answers carry them too.
          request.response().headers().addAll(Responses.NO_CACHE);
          router.handle(request);
        });
    return server.listen();
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

  /** Stops accepting and lets in-flight requests finish, for at most the drain timeout. */
  @Override
  public Future<?> stop() {
    guard.close();
    return server.shutdown(config.drainTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }
}
