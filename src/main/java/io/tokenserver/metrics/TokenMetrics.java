package io.tokenserver.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tokenserver.signing.SigningPool;

import io.tokenserver.config.ProjectsConfig;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's own meters. Label values come from bounded sets (token kinds, field names, fixed reasons)
 * so that no client input ever becomes a time series.
 */
public final class TokenMetrics {

  private static final List<String> KINDS = List.of("rtc", "rtm", "chat");

  private final MeterRegistry registry;
  /** By project, then kind: every counter resolved once, at start. */
  private final Map<String, Map<String, Counter>> issued = new HashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Timer signing;

  /** Meters for the single project {@code default}. */
  public TokenMetrics(MeterRegistry registry) {
    this(registry, Set.of(ProjectsConfig.SINGLE));
  }

  /** {@code projects}: the configured project names, the only values of the {@code project} label. */
  public TokenMetrics(MeterRegistry registry, Set<String> projects) {
    this.registry = registry;
    for (String project : projects) {
      Map<String, Counter> byKind = new HashMap<>();
      for (String kind : KINDS) {
        byKind.put(kind, issuedCounter(kind, project));
      }
      issued.put(project, byKind);
    }
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

  /** One more token of {@code kind} ("rtc", "rtm" or "chat") signed for the configured {@code project}. */
  public void issued(String kind, String project) {
    issued.get(project).get(kind).increment();
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

  private Counter issuedCounter(String kind, String project) {
    return Counter.builder("tokens.issued")
        .description("Tokens minted, by kind and project")
        .tag("kind", kind)
        .tag("project", project)
        .register(registry);
  }
}
