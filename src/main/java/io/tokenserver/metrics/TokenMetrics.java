package io.tokenserver.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tokenserver.signing.SigningPool;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's token meters. Label values come from bounded sets (token kinds, project names, field names,
 * fixed reasons) so that no client input ever becomes a time series. Bound before the first request: the API
 * verticles are deployed after {@link #bindTo}, which makes its meters visible to their event loops.
 */
public final class TokenMetrics implements MeterBinder {

  private static final List<String> KINDS = List.of("rtc", "rtm", "chat");

  private final Set<String> projects;
  /** By project, then kind: every counter resolved once, when bound. */
  private final Map<String, Map<String, Counter>> issued = new HashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private MeterRegistry registry;
  private Timer signing;

  /** {@code projects}: the configured project names, the only values of the {@code project} label. */
  public TokenMetrics(Set<String> projects) {
    this.projects = projects;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
    for (String project : projects) {
      Map<String, Counter> byKind = new HashMap<>();
      for (String kind : KINDS) {
        byKind.put(kind, Counter.builder("token.server.tokens.issued")
            .description("Tokens minted, by kind and project")
            .tag("kind", kind)
            .tag("project", project)
            .register(registry));
      }
      issued.put(project, byKind);
    }
    this.signing = Timer.builder("token.server.signing.duration")
        .description("Time spent minting one token inside the signing pool")
        .serviceLevelObjectives(MetricsSetup.LATENCY_BUCKETS)
        .minimumExpectedValue(Duration.ofNanos(1))
        .register(registry);
  }

  /** The signing pool's queue depth and rejections. */
  public static MeterBinder signingPool(SigningPool pool) {
    return registry -> {
      Gauge.builder("token.server.signing.pending", pool, SigningPool::pending)
          .description("Signings waiting for or running on the signing pool")
          .register(registry);
      FunctionCounter.builder("token.server.signing.rejected", pool, SigningPool::rejected)
          .description("Signings turned away with 503 because the signing pool was saturated")
          .register(registry);
    };
  }

  /** One more token of {@code kind} ("rtc", "rtm" or "chat") signed for the configured {@code project}. */
  public void issued(String kind, String project) {
    issued.get(project).get(kind).increment();
  }

  /** {@code reason} must come from a bounded set: a request field name, "saturated" or "internal". */
  public void error(String reason) {
    errors.computeIfAbsent(reason, r -> Counter.builder("token.server.token.errors")
        .description("Token requests that got no token, by reason")
        .tag("reason", r)
        .register(registry)).increment();
  }

  public Timer signingTimer() {
    return signing;
  }
}
