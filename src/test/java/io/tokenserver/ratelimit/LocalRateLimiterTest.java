package io.tokenserver.ratelimit;

import io.github.bucket4j.TimeMeter;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class LocalRateLimiterTest {

  /** Time that moves only when a test says so (Bucket4j reads it for refill, Caffeine for expiry). */
  private static final class ManualClock implements TimeMeter {
    private long nanos = 1_000_000_000L;

    @Override
    public long currentTimeNanos() {
      return nanos;
    }

    @Override
    public boolean isWallClockBased() {
      return false;
    }

    void advance(Duration duration) {
      nanos += duration.toNanos();
    }
  }

  private final ManualClock clock = new ManualClock();

  private LocalRateLimiter limiter(long perSecond, long burst, int maxCallers) {
    return new LocalRateLimiter(perSecond, burst, maxCallers, clock);
  }


  @Test
  void aCallerMaySpendItsBurstThenIsRefused() {
    LocalRateLimiter limiter = limiter(1, 3, 100);
    assertThat(limiter.acquire("a").remaining()).isEqualTo(2);
    assertThat(limiter.acquire("a").remaining()).isEqualTo(1);
    RateLimiter.Decision last = limiter.acquire("a");
    assertThat(last.allowed()).isTrue();
    assertThat(last.remaining()).isZero();
    assertThat(last.resetSeconds()).as("3 tokens at 1/s").isEqualTo(3);

    RateLimiter.Decision refused = limiter.acquire("a");
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.limit()).isEqualTo(3);
    assertThat(refused.remaining()).isZero();
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
  }

  @Test
  void theBucketRefillsAtTheConfiguredRateUpToTheBurst() {
    LocalRateLimiter limiter = limiter(2, 2, 100); // one token every 500 ms
    limiter.acquire("a");
    limiter.acquire("a");
    assertThat(limiter.acquire("a").allowed()).isFalse();
    clock.advance(Duration.ofMillis(499));
    assertThat(limiter.acquire("a").allowed()).as("not yet").isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(limiter.acquire("a").allowed()).as("one token back").isTrue();
    assertThat(limiter.acquire("a").allowed()).isFalse();
    clock.advance(Duration.ofSeconds(5));
    assertThat(limiter.acquire("a").allowed()).isTrue();
    assertThat(limiter.acquire("a").allowed()).isTrue();
    assertThat(limiter.acquire("a").allowed()).as("never more than the burst").isFalse();
  }

  @Test
  void callersHaveIndependentBuckets() {
    LocalRateLimiter limiter = limiter(1, 1, 100);
    assertThat(limiter.acquire("a").allowed()).isTrue();
    assertThat(limiter.acquire("a").allowed()).isFalse();
    assertThat(limiter.acquire("b").allowed()).isTrue();
    assertThat(limiter.acquire("c").allowed()).isTrue();
  }

  @Test
  void aMillionDistinctCallersKeepMemoryBounded() {
    int maxCallers = 10_000;
    LocalRateLimiter limiter = limiter(5, 10, maxCallers);
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long before = memory.getHeapMemoryUsage().getUsed();
    int refused = 0;
    for (int i = 0; i < 1_000_000; i++) {
      if (!limiter.acquire("10." + (i >> 16) + "." + (i >> 8 & 0xff) + "." + (i & 0xff)).allowed()) {
        refused++;
      }
    }
    assertThat(refused).as("every new caller starts with a full bucket").isZero();
    assertThat(limiter.size()).isLessThanOrEqualTo(maxCallers);
    System.gc();
    long grown = memory.getHeapMemoryUsage().getUsed() - before;
    // A million buckets would hold hundreds of MB; ten thousand hold a few.
    assertThat(grown).as("heap growth in bytes").isLessThan(40L * 1024 * 1024);
  }

  @Test
  void aFrequentCallerSurvivesAFloodOfNewOnes() {
    LocalRateLimiter limiter = limiter(1, 1_000_000, 1_000);
    for (int i = 0; i < 50; i++) {
      limiter.acquire("regular");
    }
    for (int i = 0; i < 100_000; i++) {
      limiter.acquire("flood-" + i);
      if (i % 1000 == 0) {
        limiter.acquire("regular");
      }
    }
    // Still counted: had its bucket been evicted, a fresh one would report the full burst minus one.
    assertThat(limiter.acquire("regular").remaining()).isLessThan(1_000_000 - 1);
  }

  @Test
  void idleBucketsExpireOnceTheyWouldBeFullAgain() {
    LocalRateLimiter limiter = limiter(1000, 1, 100); // full again after 1 ms; dropped 1 s later
    limiter.acquire("a");
    limiter.acquire("b");
    assertThat(limiter.size()).isEqualTo(2);
    clock.advance(Duration.ofMillis(900));
    assertThat(limiter.size()).as("kept one second past full").isEqualTo(2);
    clock.advance(Duration.ofMillis(200));
    assertThat(limiter.size()).isZero();
  }
}
