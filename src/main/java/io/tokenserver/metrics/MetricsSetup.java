package io.tokenserver.metrics;

import io.micrometer.core.instrument.Meter;
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
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/** Builds the Prometheus registry, its filters and the Vert.x metrics that feed it, in one readable place. */
public final class MetricsSetup {

  /** Buckets that resolve sub-millisecond latencies: 0.25 ms … 250 ms. */
  static final Duration[] LATENCY_BUCKETS = {
      Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250)};

  private static final String HTTP_SERVER_RESPONSE_TIME = "vertx.http.server.response.time";
  private static final String HTTP_SERVER = "vertx.http.server";
  /**
   * The label values a client could otherwise mint at will: any method outside {@link #METHODS} is
   * {@code OTHER}, and each label of the HTTP meters has a cap on distinct values as a backstop.
   */
  static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE",
      "PATCH");
  static final String OTHER_METHOD = "OTHER";
  static final int MAX_LABEL_VALUES = 64;

  private static final EnumSet<Label> HTTP_LABELS = EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE);

  private MetricsSetup() {
  }

  /** The registry the management port scrapes, with JVM and process meters bound. */
  public static PrometheusMeterRegistry createRegistry() {
    PrometheusMeterRegistry registry = createFilteredRegistry();
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    BuildInfo.bindTo(registry);
    return registry;
  }

  /** A registry with the filters and histograms of {@link #createRegistry()} but no JVM meters (the warm-up's). */
  public static PrometheusMeterRegistry createFilteredRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Two ProcessorMetrics meters break promtool's naming lint; process/system_cpu_usage remain.
    registry.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
    registry.config().meterFilter(MeterFilter.denyNameStartsWith("system.cpu.count"));
    registry.config().meterFilter(MeterFilter.replaceTagValues(Label.HTTP_METHOD.toString(), MetricsSetup::method));
    for (Label label : HTTP_LABELS) {
      registry.config().meterFilter(
          MeterFilter.maximumAllowableTags(HTTP_SERVER, label.toString(), MAX_LABEL_VALUES, MeterFilter.deny()));
    }
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        // Histograms only where a latency SLO is read from them, not on every Vert.x meter.
        if (HTTP_SERVER_RESPONSE_TIME.equals(id.getName())) {
          return DistributionStatisticConfig.builder()
              .serviceLevelObjectives(toNanos(LATENCY_BUCKETS))
              .build()
              .merge(config);
        }
        return config;
      }
    });
    return registry;
  }

  /** {@code method}'s label value: a known method as is, anything else {@code OTHER}. */
  public static String method(String method) {
    return METHODS.contains(method) ? method : OTHER_METHOD;
  }

  /** Binds the meters of the server's parts (caller gate, connections, ...) in one place. */
  public static void bind(MeterRegistry registry, MeterBinder... binders) {
    for (MeterBinder binder : binders) {
      binder.bindTo(registry);
    }
  }

  /**
   * Vert.x's HTTP server meters only, labelled by the route template (never the raw path: channel names
   * and uids must not become label values).
   */
  public static MicrometerMetricsOptions vertxMetricsOptions() {
    MicrometerMetricsOptions options = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setLabels(HTTP_LABELS);
    for (MetricsDomain domain : EnumSet.complementOf(EnumSet.of(MetricsDomain.HTTP_SERVER))) {
      options.addDisabledMetricsCategory(domain);
    }
    return options;
  }

  /**
   * Vert.x's metrics with the HTTP server meters of a port opened while {@link #warmingUp} is set kept in a
   * registry of their own, which nobody scrapes: the start-up warm-up runs the same meter code as users'
   * requests, and none of its requests is counted in theirs. Vert.x asks for a server's meters once, when the
   * port opens.
   */
  public static final class HttpServerMeters implements VertxMetricsFactory {

    private final MeterRegistry users;
    private volatile boolean warmingUp;

    public HttpServerMeters(MeterRegistry users) {
      this.users = users;
    }

    public void warmingUp(boolean warmingUp) {
      this.warmingUp = warmingUp;
    }

    @Override
    public VertxMetrics metrics(VertxOptions options) {
      VertxMetrics forUsers = new MicrometerMetricsFactory(users).metrics(options);
      // A registry name of its own: Vert.x keeps its metrics backends by name, and the default one is the users'.
      VertxMetrics forWarmUp = new MicrometerMetricsFactory(createFilteredRegistry())
          .metrics(new VertxOptions(options).setMetricsOptions(vertxMetricsOptions().setRegistryName("warm-up")));
      return new VertxMetrics() {
        @Override
        public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions server, SocketAddress address) {
          return (warmingUp ? forWarmUp : forUsers).createHttpServerMetrics(server, address);
        }

        @Override
        public void vertxCreated(Vertx vertx) {
          forUsers.vertxCreated(vertx);
          forWarmUp.vertxCreated(vertx);
        }

        @Override
        public boolean isMetricsEnabled() {
          return true;
        }

        @Override
        public void close() {
          forUsers.close();
          forWarmUp.close();
        }
      };
    }
  }

  private static double[] toNanos(Duration[] buckets) {
    double[] nanos = new double[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      nanos[i] = buckets[i].toNanos();
    }
    return nanos;
  }
}
