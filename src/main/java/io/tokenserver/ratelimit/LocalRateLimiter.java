package io.tokenserver.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One token bucket per caller (Bucket4j), kept in a size-bounded, expiring map (Caffeine) so that any
 * number of distinct callers costs bounded memory. A bucket idle long enough to have refilled is dropped:
 * a new one would be identical. Evicting a busy caller under a flood of new ones only forgives it, never
 * locks it out. Limits hold per replica.
 */
public final class LocalRateLimiter implements RateLimiter {

  private final long perSecond;
  private final long burst;
  private final Bandwidth bandwidth;
  private final TimeMeter clock;
  private final Cache<String, Bucket> buckets;

  public LocalRateLimiter(long perSecond, long burst, int maxCallers) {
    this(perSecond, burst, maxCallers, TimeMeter.SYSTEM_NANOTIME);
  }

  /** With {@code clock} driving both refill and expiry, so tests advance time instead of sleeping. */
  public LocalRateLimiter(long perSecond, long burst, int maxCallers, TimeMeter clock) {
    if (perSecond < 1 || burst < 1 || maxCallers < 1) {
      throw new IllegalArgumentException("rate, burst and size must be positive");
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.bandwidth = bandwidth(perSecond, burst);
    this.clock = clock;
    this.buckets = Caffeine.newBuilder()
        .maximumSize(maxCallers)
        .expireAfterAccess(Duration.ofNanos(nanosToFill(perSecond, burst)).plusSeconds(1))
        .ticker(clock::currentTimeNanos)
        .executor(Runnable::run) // maintenance on the calling thread: no pool to size, no task backlog
        .build();
  }

  @Override
  public Future<Decision> tryAcquire(String caller) {
    return Future.succeededFuture(acquire(caller));
  }

  /** The same check, answered directly: the fallback of a shared backend uses it from any thread. */
  Decision acquire(String caller) {
    Bucket bucket = buckets.get(caller,
        key -> Bucket.builder().withCustomTimePrecision(clock).addLimit(bandwidth).build());
    return decision(bucket.tryConsumeAndReturnRemaining(1), perSecond, burst);
  }

  /** Buckets held now (after pending evictions). */
  public long size() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  /** This replica's buckets; the backend is always up. */
  @Override
  public void bindTo(MeterRegistry registry) {
    bindTo(registry, () -> true);
  }

  /** {@code token_server_rate_limit_callers} of these buckets, and the {@code backendUp} of a backend they stand in for. */
  void bindTo(MeterRegistry registry, BooleanSupplier backendUp) {
    Gauge.builder("token.server.rate.limit.callers", this, LocalRateLimiter::size)
        .description("Callers with a rate-limit bucket held in this replica's memory")
        .register(registry);
    Gauge.builder("token.server.rate.limit.backend.up", backendUp, up -> up.getAsBoolean() ? 1 : 0)
        .strongReference(true) // nothing else holds the supplier: a weak reference would read NaN once collected
        .description("1 while the rate-limit backend answers, 0 while a replica falls back on its policy")
        .register(registry);
  }

  /** {@code burst} capacity, refilled at {@code perSecond} a token at a time. */
  static Bandwidth bandwidth(long perSecond, long burst) {
    return Bandwidth.builder().capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)).build();
  }

  /** How long an empty bucket takes to be full again. */
  static long nanosToFill(long perSecond, long burst) {
    return Math.max(1, burst * TimeUnit.SECONDS.toNanos(1) / perSecond);
  }

  static Decision decision(ConsumptionProbe probe, long perSecond, long burst) {
    return decision(probe.isConsumed(), probe.getRemainingTokens(), probe.getNanosToWaitForRefill(), perSecond, burst);
  }

  /** Whether a request was taken, the tokens left, and when refused, how long until one is back. */
  static Decision decision(boolean consumed, long remaining, long nanosToWait, long perSecond, long burst) {
    long resetSeconds = ceilSeconds((burst - remaining) * TimeUnit.SECONDS.toNanos(1) / perSecond);
    if (consumed) {
      return new Decision(true, burst, remaining, resetSeconds, 0);
    }
    return new Decision(false, burst, 0, resetSeconds, Math.max(1, ceilSeconds(nanosToWait)));
  }

  private static long ceilSeconds(long nanos) {
    return (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1);
  }
}
