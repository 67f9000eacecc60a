package io.tokenserver.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The Prometheus registry and the one place the server's meters are bound: every meter of our own is named
 * {@code token_server_…}; the JVM and process meters keep their standard names.
 */
public final class MetricsSetup {

  /** Buckets that resolve sub-millisecond latencies: 0.25 ms … 250 ms. */
  static final Duration[] LATENCY_BUCKETS = {
      Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250)};

  /** The methods a label or log line shows as they are; a client's made-up method is {@link #OTHER_METHOD}. */
  static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE",
      "PATCH");
  static final String OTHER_METHOD = "OTHER";

  private MetricsSetup() {
  }

  /** An empty registry for the management port's scrapes (or, unscraped, for the warm-up's meters). */
  public static PrometheusMeterRegistry createRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Two ProcessorMetrics meters break promtool's naming lint; process/system_cpu_usage remain.
    registry.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
    registry.config().meterFilter(MeterFilter.denyNameStartsWith("system.cpu.count"));
    return registry;
  }

  /** The JVM and process meters, under their standard names. */
  public static MeterBinder jvmAndProcess() {
    List<MeterBinder> binders = List.of(new ClassLoaderMetrics(), new JvmMemoryMetrics(), new JvmGcMetrics(),
        new JvmThreadMetrics(), new ProcessorMetrics(), new FileDescriptorMetrics(), new UptimeMetrics());
    return registry -> binders.forEach(binder -> binder.bindTo(registry));
  }

  /** Binds every meter the scrape shows, from the one list the server assembles. */
  public static void bind(MeterRegistry registry, List<MeterBinder> binders) {
    binders.forEach(binder -> binder.bindTo(registry));
  }

  /** {@code method}'s label value: a known method as is, anything else {@code OTHER}. */
  public static String method(String method) {
    return METHODS.contains(method) ? method : OTHER_METHOD;
  }
}
