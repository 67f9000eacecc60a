package io.tokenserver.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One token bucket per caller (Bucket4j), kept in a size-bounded, expiring map (Caffeine) so that any
 * number of distinct callers costs bounded memory. A bucket idle long enough to have refilled is dropped:
 * a new one would be identical. Evicting a busy caller under a flood of new ones only forgives it, never
 * locks it out.
 */
public final class RateLimiter {

  private final long perSecond;
  private final long burst;
  private final Bandwidth bandwidth;
  private final Cache<String, Bucket> buckets;

  public RateLimiter(long perSecond, long burst, int maxCallers) {
    if (perSecond < 1 || burst < 1 || maxCallers < 1) {
      throw new IllegalArgumentException("rate, burst and size must be positive");
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.bandwidth = Bandwidth.builder().capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)).build();
    long refillMillis = Math.max(1, (burst * 1000 + perSecond - 1) / perSecond);
    this.buckets = Caffeine.newBuilder()
        .maximumSize(maxCallers)
        .expireAfterAccess(Duration.ofMillis(refillMillis + 1000))
        .executor(Runnable::run) // maintenance on the calling thread: no pool to size, no task backlog
        .build();
  }

  /** Takes one request from {@code caller}'s bucket. */
  public Decision tryAcquire(String caller) {
    Bucket bucket = buckets.get(caller, key -> Bucket.builder().addLimit(bandwidth).build());
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    long remaining = probe.getRemainingTokens();
    long resetSeconds = ceilSeconds((burst - remaining) * 1_000_000_000L / perSecond);
    if (probe.isConsumed()) {
      return new Decision(true, burst, remaining, resetSeconds, 0);
    }
    return new Decision(false, burst, 0, resetSeconds, Math.max(1, ceilSeconds(probe.getNanosToWaitForRefill())));
  }

  /** Buckets held now (after pending evictions). */
  public long size() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  private static long ceilSeconds(long nanos) {
    return (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1);
  }

  /**
   * The outcome for one request, with what the {@code RateLimit-*} headers report.
   *
   * @param limit the burst a caller may spend at once
   * @param remaining requests left right now
   * @param resetSeconds seconds until the bucket is full again
   * @param retryAfterSeconds when refused: seconds until one request is allowed
   */
  public record Decision(boolean allowed, long limit, long remaining, long resetSeconds, long retryAfterSeconds) {
  }
}
