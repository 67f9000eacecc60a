package io.tokenserver.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tokenserver.signing.SigningPool;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's own meters. Label values come from bounded sets (token kinds, field names, fixed reasons)
 * so that no client input ever becomes a time series.
 */
public final class TokenMetrics {

  private final MeterRegistry registry;
  private final Counter rtcIssued;
  private final Counter rtmIssued;
  private final Counter chatIssued;
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Timer signing;

  public TokenMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.rtcIssued = issuedCounter("rtc");
    this.rtmIssued = issuedCounter("rtm");
    this.chatIssued = issuedCounter("chat");
    this.signing = Timer.builder("token.signing")
        .description("Time spent minting one token inside the signing pool")
        .serviceLevelObjectives(MetricsSetup.LATENCY_BUCKETS)
        .minimumExpectedValue(Duration.ofNanos(1))
        .register(registry);
  }

  /** Publishes the pool's queue depth and rejections; called once the pool exists. */
  public void bind(SigningPool pool) {
    Gauge.builder("signing.pool.pending", pool, SigningPool::pending)
        .description("Signings waiting for or running on the signing pool")
        .register(registry);
    FunctionCounter.builder("signing.rejected", pool, SigningPool::rejected)
        .description("Signings turned away with 503 because the signing pool was saturated")
        .register(registry);
  }

  /** One more token of {@code kind} ("rtc", "rtm" or "chat"); the counters are resolved once, at start. */
  public void issued(String kind) {
    switch (kind) {
      case "rtc" -> rtcIssued.increment();
      case "rtm" -> rtmIssued.increment();
      default -> chatIssued.increment();
    }
  }

  /** {@code reason} must come from a bounded set: a request field name, "saturated" or "internal". */
  public void error(String reason) {
    errors.computeIfAbsent(reason, r -> Counter.builder("token.errors")
        .description("Token requests that got no token, by reason")
        .tag("reason", r)
        .register(registry)).increment();
  }

  public Timer signingTimer() {
    return signing;
  }

  private Counter issuedCounter(String kind) {
    return Counter.builder("tokens.issued")
        .description("Tokens minted, by kind")
        .tag("kind", kind)
        .register(registry);
  }
}
