package io.tokenserver.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.tokenserver.auth.Caller;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.gate.CallerGate;
import io.tokenserver.metrics.HttpMetrics;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/** The public API's routes (docs/api.md, src/main/resources/openapi.yaml), each also answering with a trailing slash. */
final class ApiRouter {

  private static final Logger LOG = LoggerFactory.getLogger(ApiRouter.class);

  static final int MAX_BODY_BYTES = 4096;
  /** Every token route is also under /projects/:project, for callers that choose among several projects. */
  private static final List<String> PREFIXES = List.of("", "/projects/:project");
  private static final CharSequence YAML = HttpHeaders.createOptimized("application/yaml");
  private static final Buffer OPENAPI = openApiDocument();

  private ApiRouter() {
  }

  /**
   * {@code gate} authenticates, rate-limits and names the caller of every route but /ping and /openapi.yaml;
   * {@code http} (null when {@code HTTP_METRICS=false}) counts and times every request by route template.
   */
  static Router create(Vertx vertx, ServerConfig config, TokenHandlers handlers, CallerGate gate,
      InspectHandler inspect, HttpMetrics http) {
    Router router = Router.router(vertx);
    if (http != null) {
      router.route().handler(http.recorder());
    }
    if (config.accessLog()) {
      router.route().handler(AccessLog.handler());
    }
    // No origins (CORS_ALLOW_ORIGIN=none): no handler, since a CorsHandler without origins allows every one.
    if (!config.corsAllowOrigins().isEmpty()) {
      router.route().handler(cors(config));
    }

    get(router, http, "/ping", handlers::ping);
    label(http, router.get("/openapi.yaml"), "/openapi.yaml").handler(ApiRouter::openApi);
    // Bodies are read before the gate: a gate that waits for an answer (a Redis rate limit, a JWKS fetch) would
    // otherwise let the body go by unread, and a BodyHandler after it fails the request. Both are bounded.
    BodyHandler getTokenBody = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
    for (String prefix : PREFIXES) {
      getTokenPaths(prefix).forEach(path -> router.post(path).handler(getTokenBody));
    }
    router.post("/tokens/inspect").handler(InspectHandler.body());
    gate.handlers().forEach(router.route()::handler);
    for (String prefix : PREFIXES) {
      get(router, http, prefix + "/rtc/:channel/:role/:tokentype/:uid", handlers::rtc);
      get(router, http, prefix + "/rtm/:uid", handlers::rtm);
      get(router, http, prefix + "/rte/:channel/:role/:tokentype/:rtcuid", handlers::rte);
      get(router, http, prefix + "/rte/:channel/:role/:tokentype/:rtcuid/:rtmuid", handlers::rte);
      get(router, http, prefix + "/chat/app", handlers::chatApp);
      get(router, http, prefix + "/chat/account/:chatid", handlers::chatAccount);
      getTokenPaths(prefix).forEach(path -> label(http, router.post(path), prefix + "/getToken")
          .handler(handlers::getToken));
    }

    // Inspection answers whether a token is genuine: on this port only for backends holding an API key.
    label(http, router.post("/tokens/inspect"), "/tokens/inspect").handler(ctx -> {
      if (ctx.<Caller>get(Caller.CONTEXT_KEY).holdsApiKey()) {
        inspect.handle(ctx);
      } else {
        Responses.error(ctx.response(), 403, "token inspection on this port needs an API key; "
            + "the management port answers it too");
      }
    });

    // Any other status a handler fails with (the gate's 401, 429 and 503 with their message as the payload; 403
    // from CORS, 408, 415... from vert.x-web) is JSON as well.
    for (int status = 400; status < 600; status++) {
      String reason = HttpResponseStatus.valueOf(status).reasonPhrase().toLowerCase();
      int code = status;
      router.errorHandler(status, ctx -> Responses.error(ctx.response(), code,
          ctx.failure() instanceof HttpException e && e.getPayload() != null ? e.getPayload() : reason));
    }
    router.errorHandler(400, ctx -> Responses.error(ctx.response(), 400, "bad request"));
    router.errorHandler(403, ctx -> Responses.error(ctx.response(), 403, "origin not allowed"));
    router.errorHandler(404, ctx -> Responses.error(ctx.response(), 404, "not found"));
    router.errorHandler(405, ctx -> Responses.error(ctx.response(), 405, "method not allowed"));
    router.errorHandler(413, ctx -> Responses.error(ctx.response(), 413,
        "request body is larger than " + MAX_BODY_BYTES + " bytes"));
    router.errorHandler(500, ctx -> {
      // A 500 is our fault: say what failed (never a request's data: exceptions here come from handlers).
      LOG.error("request failed on {}: {}", ctx.currentRoute() == null ? "no route" : ctx.currentRoute().getPath(),
          ctx.failure() == null ? "no cause" : ctx.failure().toString());
      Responses.error(ctx.response(), 500, "internal error");
    });
    return router;
  }

  /** The API's contract, read once: clients and tools fetch it without credentials. */
  private static void openApi(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, YAML).end(OPENAPI);
  }

  /** POST /getToken under {@code prefix}, with and without the trailing slash. */
  private static List<String> getTokenPaths(String prefix) {
    return List.of(prefix + "/getToken", prefix + "/getToken/");
  }

  /** {@code path} and {@code path/}, both labelled {@code path} in the HTTP meters. */
  private static void get(Router router, HttpMetrics http, String path, Handler<RoutingContext> handler) {
    label(http, router.get(path), path).handler(handler);
    label(http, router.get(path + "/"), path).handler(handler);
  }

  private static Route label(HttpMetrics http, Route route, String template) {
    return http == null ? route : http.label(route, template);
  }

  private static Buffer openApiDocument() {
    try (InputStream in = ApiRouter.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml is not on the class path");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static CorsHandler cors(ServerConfig config) {
    CorsHandler cors = CorsHandler.create()
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS))
        .allowedHeaders(Set.of("Content-Type", "Authorization", "X-API-Key", "X-Agora-Project"))
        .maxAgeSeconds(600);
    if (!config.corsAllowOrigins().contains("*")) {
      cors.addOrigins(config.corsAllowOrigins());
    }
    return cors;
  }
}
