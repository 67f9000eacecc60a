package io.tokenserver.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code token_server_http_requests_total} and {@code token_server_http_request_duration_seconds}, labelled by
 * {@code route} (the template, never the raw path), {@code method} (a known method or {@code OTHER}) and
 * {@code code}. Each route's meters are looked up in the registry once per method and status it answers with,
 * then kept in arrays: a request costs an array read and the two recordings, no registry lookup.
 */
public final class HttpMetrics implements MeterBinder {

  private static final String REQUESTS = "token.server.http.requests";
  private static final String DURATION = "token.server.http.request.duration";
  /** The {@code route} of requests no route answered: unknown paths and methods, preflights, the gate's refusals. */
  static final String NO_ROUTE = "none";
  /** The methods labelled as they are; any other is {@link MetricsSetup#OTHER_METHOD}. */
  private static final List<HttpMethod> METHODS = MetricsSetup.METHODS.stream().map(HttpMethod::valueOf).toList();
  private static final String METERS = HttpMetrics.class.getName();
  private static final int STATUSES = 600;

  private volatile MeterRegistry registry;
  /** Every route's meters, kept for {@link #forgetResolvedMeters}. */
  private final List<RouteMeters> routes = new CopyOnWriteArrayList<>();

  /** Meters into {@code registry} once it is bound. */
  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * The handler to mount first on the router of one event loop: it times every request and, when the answer is
   * written, counts it for the route that answered it ({@link #label}), or {@link #NO_ROUTE}.
   */
  public Handler<RoutingContext> recorder() {
    RouteMeters none = register(new RouteMeters(NO_ROUTE));
    return ctx -> {
      long start = System.nanoTime();
      ctx.addEndHandler(ended -> {
        if (ended.succeeded()) {
          Route route = ctx.currentRoute();
          RouteMeters meters = route == null ? null : route.getMetadata(METERS);
          (meters == null ? none : meters).record(ctx, System.nanoTime() - start);
        }
      });
      ctx.next();
    };
  }

  /**
   * Labels {@code route}'s answers with {@code template}; routes of one template (with and without a trailing
   * slash) count in the same series. Called when the route is mounted, for the event loop that will serve it.
   */
  public Route label(Route route, String template) {
    return route.putMetadata(METERS, register(new RouteMeters(template)));
  }

  /**
   * Forgets which meters each route already resolved; the next answers resolve them again, into the same series.
   * The warm-up calls it before its last part, so that resolving a meter, which the first user requests do, is
   * compiled code by then instead of a path the JIT left out and must recompile after ready. Call it while no
   * request is in flight: the event loops own these arrays, and a meter resolved meanwhile is only resolved again.
   */
  public void forgetResolvedMeters() {
    routes.forEach(RouteMeters::forget);
  }

  private RouteMeters register(RouteMeters meters) {
    routes.add(meters);
    return meters;
  }

  /** One route's meters by method and status, filled as they first occur; used by one event loop only. */
  private final class RouteMeters {

    private final String route;
    /** Index: the method's place in {@link #METHODS}, or its size for OTHER; then the status code. */
    private final Recorded[][] byMethod = new Recorded[METHODS.size() + 1][];

    RouteMeters(String route) {
      this.route = route;
    }

    void forget() {
      Arrays.fill(byMethod, null);
    }

    void record(RoutingContext ctx, long nanos) {
      int method = methodIndex(ctx.request().method());
      int status = ctx.response().getStatusCode();
      if (status < 0 || status >= STATUSES) {
        status = 0;
      }
      Recorded[] byStatus = byMethod[method];
      if (byStatus == null) {
        byStatus = byMethod[method] = new Recorded[STATUSES];
      }
      Recorded recorded = byStatus[status];
      if (recorded == null) {
        recorded = byStatus[status] = new Recorded(registry,
            method < METHODS.size() ? METHODS.get(method).name() : MetricsSetup.OTHER_METHOD,
            Integer.toString(status), route);
      }
      recorded.requests.increment();
      recorded.duration.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** The method's place in {@link #METHODS}, or its size for any other (a client's made-up method). */
  private static int methodIndex(HttpMethod method) {
    for (int i = 0; i < METHODS.size(); i++) {
      if (METHODS.get(i) == method) {
        return i;
      }
    }
    int known = METHODS.indexOf(method); // a known method not given as Vert.x's constant
    return known < 0 ? METHODS.size() : known;
  }

  private static final class Recorded {

    final Counter requests;
    final Timer duration;

    Recorded(MeterRegistry registry, String method, String code, String route) {
      requests = Counter.builder(REQUESTS)
          .description("Requests answered on the API port, by route template, method and status code")
          .tags("route", route, "method", method, "code", code)
          .register(registry);
      duration = Timer.builder(DURATION)
          .description("Time from a request's routing to the end of its answer on the API port")
          .tags("route", route, "method", method, "code", code)
          .serviceLevelObjectives(MetricsSetup.LATENCY_BUCKETS)
          .minimumExpectedValue(Duration.ofNanos(1))
          .register(registry);
    }
  }
}
