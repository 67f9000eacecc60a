package io.tokenserver.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

/**
 * The management port (docs/observability.md): Prometheus scrapes, Kubernetes probes and token inspection,
 * never exposed to clients; built from Vert.x's own handlers.
 */
public final class ManagementServer {

  private static final Buffer UP = Buffer.buffer("{\"status\":\"UP\"}");

  private ManagementServer() {
  }

  /**
   * Listens on {@code host:port}. /health/ready runs each of the {@code readiness} checks once per request and
   * answers 200 or 503 from those same results, so the status and the body listing them always agree.
   */
  public static Future<HttpServer> start(Vertx vertx, String host, int port, PrometheusMeterRegistry registry,
      HealthChecks readiness, InspectHandler inspect) {
    Router router = Router.router(vertx);
    // On this port's own event loop: the series are bounded, so a scrape takes a millisecond or so.
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    router.get("/health/live").handler(ctx -> Responses.json(ctx.response(), 200, UP));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness));
    router.post("/tokens/inspect").handler(InspectHandler.body()).handler(inspect);
    router.errorHandler(404, ctx -> Responses.error(ctx.response(), 404, "not found"));
    router.errorHandler(405, ctx -> Responses.error(ctx.response(), 405, "method not allowed"));
    router.errorHandler(413, ctx -> Responses.error(ctx.response(), 413,
        "request body is larger than " + InspectHandler.MAX_BODY_BYTES + " bytes"));
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setHttp2ClearTextEnabled(false))
        .requestHandler(router)
        .listen();
  }
}
