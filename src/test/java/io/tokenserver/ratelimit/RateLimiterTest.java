package io.tokenserver.ratelimit;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimiterTest {

  @Test
  void aCallerMaySpendItsBurstThenIsRefused() {
    RateLimiter limiter = new RateLimiter(1, 3, 100);
    assertThat(limiter.tryAcquire("a").remaining()).isEqualTo(2);
    assertThat(limiter.tryAcquire("a").remaining()).isEqualTo(1);
    RateLimiter.Decision last = limiter.tryAcquire("a");
    assertThat(last.allowed()).isTrue();
    assertThat(last.remaining()).isZero();
    assertThat(last.resetSeconds()).as("3 tokens at 1/s").isEqualTo(3);

    RateLimiter.Decision refused = limiter.tryAcquire("a");
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.limit()).isEqualTo(3);
    assertThat(refused.remaining()).isZero();
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
  }

  @Test
  void theBucketRefillsAtTheConfiguredRateUpToTheBurst() throws InterruptedException {
    RateLimiter limiter = new RateLimiter(2, 2, 100); // one token every 500 ms
    limiter.tryAcquire("a");
    limiter.tryAcquire("a");
    assertThat(limiter.tryAcquire("a").allowed()).isFalse();
    Thread.sleep(600);
    assertThat(limiter.tryAcquire("a").allowed()).as("one token back").isTrue();
    assertThat(limiter.tryAcquire("a").allowed()).isFalse();
    Thread.sleep(1600);
    assertThat(limiter.tryAcquire("a").allowed()).isTrue();
    assertThat(limiter.tryAcquire("a").allowed()).isTrue();
    assertThat(limiter.tryAcquire("a").allowed()).as("never more than the burst").isFalse();
  }

  @Test
  void callersHaveIndependentBuckets() {
    RateLimiter limiter = new RateLimiter(1, 1, 100);
    assertThat(limiter.tryAcquire("a").allowed()).isTrue();
    assertThat(limiter.tryAcquire("a").allowed()).isFalse();
    assertThat(limiter.tryAcquire("b").allowed()).isTrue();
    assertThat(limiter.tryAcquire("c").allowed()).isTrue();
  }

  @Test
  void aMillionDistinctCallersKeepMemoryBounded() {
    int maxCallers = 10_000;
    RateLimiter limiter = new RateLimiter(5, 10, maxCallers);
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long before = memory.getHeapMemoryUsage().getUsed();
    int refused = 0;
    for (int i = 0; i < 1_000_000; i++) {
      if (!limiter.tryAcquire("10." + (i >> 16) + "." + (i >> 8 & 0xff) + "." + (i & 0xff)).allowed()) {
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
    RateLimiter limiter = new RateLimiter(1, 1_000_000, 1_000);
    for (int i = 0; i < 50; i++) {
      limiter.tryAcquire("regular");
    }
    for (int i = 0; i < 100_000; i++) {
      limiter.tryAcquire("flood-" + i);
      if (i % 1000 == 0) {
        limiter.tryAcquire("regular");
      }
    }
    // Still counted: had its bucket been evicted, a fresh one would report the full burst minus one.
    assertThat(limiter.tryAcquire("regular").remaining()).isLessThan(1_000_000 - 1);
  }

  @Test
  void idleBucketsExpireOnceTheyWouldBeFullAgain() throws InterruptedException {
    RateLimiter limiter = new RateLimiter(1000, 1, 100); // full again after 1 ms; dropped 1 s later
    limiter.tryAcquire("a");
    limiter.tryAcquire("b");
    assertThat(limiter.size()).isEqualTo(2);
    Thread.sleep(1300);
    assertThat(limiter.size()).isZero();
  }
}
