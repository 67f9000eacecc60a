package io.tokenserver.gate;

import io.tokenserver.auth.Caller;
import io.tokenserver.config.ProjectsConfig;
import io.tokenserver.net.TrustedProxies;
import io.tokenserver.ratelimit.RateLimiter;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * The caller's rate limit, after its authentication: takes one request from its bucket, reports the bucket in the
 * {@code RateLimit-*} headers, and answers 429 with {@code Retry-After} when it is empty. The local limiter answers
 * at once (an already-completed future); a shared one on this event loop later.
 */
final class RateLimitHandler implements Handler<RoutingContext> {

  /** Charges a request to its client address, then runs {@code then} (unless the address is over its rate). */
  @FunctionalInterface
  interface AddressCharge {

    /** Without a rate limit nothing is charged. */
    AddressCharge FREE = (ctx, then) -> then.run();

    void before(RoutingContext ctx, Runnable then);
  }

  private static final String PROJECTS_PREFIX = "/projects/";
  private static final CharSequence LIMIT = HttpHeaders.createOptimized("RateLimit-Limit");
  private static final CharSequence REMAINING = HttpHeaders.createOptimized("RateLimit-Remaining");
  private static final CharSequence RESET = HttpHeaders.createOptimized("RateLimit-Reset");
  private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("Retry-After");

  private final RateLimiter limiter;
  private final TrustedProxies proxies;
  private final boolean perProject;
  private final Set<String> projects;
  private final String defaultProject;
  private final LongAdder limited;

  RateLimitHandler(RateLimiter limiter, TrustedProxies proxies, boolean perProject, ProjectsConfig projects,
      LongAdder limited) {
    this.limiter = limiter;
    this.proxies = proxies;
    this.perProject = perProject;
    this.projects = projects.projects().keySet();
    this.defaultProject = projects.defaultProject();
    this.limited = limited;
  }

  @Override
  public void handle(RoutingContext ctx) {
    within(ctx, key(ctx.request(), ctx.get(Caller.CONTEXT_KEY)), ctx::next);
  }

  /** Failed and costly authentications are paid for by the client address, before anyone is known. */
  void chargeAddress(RoutingContext ctx, Runnable then) {
    within(ctx, "addr:" + proxies.clientKey(ctx.request()), then);
  }

  /** The caller's bucket; with {@code RATE_LIMIT_PER_PROJECT}, one per project it signs for. */
  private String key(HttpServerRequest request, Caller caller) {
    if (!perProject) {
      return caller.rateLimitKey();
    }
    String project = caller.project(namedProject(request), projects, defaultProject);
    return project == null ? caller.rateLimitKey() : caller.rateLimitKey() + "@" + project;
  }

  /** The project the path prefix or the header names (the route's {@code :project} is not matched yet here). */
  private static String namedProject(HttpServerRequest request) {
    String path = request.path();
    if (path != null && path.startsWith(PROJECTS_PREFIX)) {
      int end = path.indexOf('/', PROJECTS_PREFIX.length());
      return path.substring(PROJECTS_PREFIX.length(), end < 0 ? path.length() : end);
    }
    return request.getHeader(CallerGate.X_AGORA_PROJECT);
  }

  /** Takes one request from {@code key}'s bucket, then runs {@code allowed}, or answers 429 when it is empty. */
  private void within(RoutingContext ctx, String key, Runnable allowed) {
    limiter.tryAcquire(key).onSuccess(decision -> {
      MultiMap headers = ctx.response().headers();
      headers.set(LIMIT, Long.toString(decision.limit()))
          .set(REMAINING, Long.toString(decision.remaining()))
          .set(RESET, Long.toString(decision.resetSeconds()));
      if (decision.allowed()) {
        allowed.run();
        return;
      }
      limited.increment();
      headers.set(RETRY_AFTER, Long.toString(decision.retryAfterSeconds()));
      ctx.fail(new HttpException(429, "too many requests: retry after " + decision.retryAfterSeconds() + " s"));
    });
  }
}
