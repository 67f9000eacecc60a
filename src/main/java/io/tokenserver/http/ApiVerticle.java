package io.tokenserver.http;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.metrics.TokenMetrics;
import io.tokenserver.signing.SigningPool;
import io.tokenserver.token.ExpiryPolicy;
import io.tokenserver.token.TokenMinter;
import io.tokenserver.token.TokenRequestParser;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/** One instance per event loop, all sharing the public port. */
public final class ApiVerticle extends VerticleBase {

  private final ServerConfig config;
  private final TokenMinter minter;
  private final SigningPool pool;
  private final TokenMetrics metrics;
  private HttpServer server;

  public ApiVerticle(ServerConfig config, TokenMinter minter, SigningPool pool, TokenMetrics metrics) {
    this.config = config;
    this.minter = minter;
    this.pool = pool;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    TokenRequestParser parser = new TokenRequestParser(
        new ExpiryPolicy(config.defaultExpirySeconds(), config.maxExpirySeconds()));
    Router router = ApiRouter.create(vertx, config, new TokenHandlers(parser, minter, pool, metrics));
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port())
        // HTTP/1.1 only: token clients do not need h2c, and it widens the attack surface.
        .setHttp2ClearTextEnabled(false))
        .requestHandler(request -> {
          // Set here, not in a route, so 404/405/413 and CORS answers carry them too.
          request.response().headers().addAll(Responses.NO_CACHE);
          router.handle(request);
        });
    return server.listen();
  }

  /** Stops accepting and lets in-flight requests finish, for at most the drain timeout. */
  @Override
  public Future<?> stop() {
    return server.shutdown(config.drainTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }
}
