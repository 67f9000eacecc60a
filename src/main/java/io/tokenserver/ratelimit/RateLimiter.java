package io.tokenserver.ratelimit;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.tokenserver.config.RateLimitConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Takes one request from a caller's token bucket. The answer is a future because a shared backend is a
 * network call away; the local limiter answers with an already-completed one.
 */
public interface RateLimiter extends MeterBinder {

  /** Takes one request from {@code caller}'s bucket. Never fails: a backend in trouble answers by its policy. */
  Future<Decision> tryAcquire(String caller);

  /** False while a shared backend does not answer and each replica applies the configured fallback policy. */
  default boolean backendUp() {
    return true;
  }

  /**
   * The limiter {@code config} asks for (its gauges are bound with {@link #bindTo}), or null when rate limiting is
   * off. A Redis limiter is returned once its first connection attempt is over, whether or not it succeeded:
   * a Redis that is down at startup is a fallback, not a crash.
   */
  static Future<RateLimiter> create(Vertx vertx, RateLimitConfig config) {
    if (!config.enabled()) {
      return Future.succeededFuture(null);
    }
    LocalRateLimiter local = new LocalRateLimiter(config.perSecond(), config.burst(), config.maxCallers());
    if (config.backend() == RateLimitConfig.Backend.LOCAL) {
      return Future.succeededFuture(local);
    }
    return RedisRateLimiter.connect(vertx, config, local).map(redis -> redis);
  }

  /**
   * The outcome for one request, with what the {@code RateLimit-*} headers report.
   *
   * @param limit the burst a caller may spend at once
   * @param remaining requests left right now
   * @param resetSeconds seconds until the bucket is full again
   * @param retryAfterSeconds when refused: seconds until one request is allowed
   */
  record Decision(boolean allowed, long limit, long remaining, long resetSeconds, long retryAfterSeconds) {
  }
}
