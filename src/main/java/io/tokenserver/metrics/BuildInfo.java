package io.tokenserver.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code token_server_build_info{version}} = 1, so dashboards and alerts can tell which version serves. */
public final class BuildInfo implements MeterBinder {

  /** The project version Maven wrote into build-info.properties. */
  public static String version() {
    try (InputStream in = BuildInfo.class.getResourceAsStream("build-info.properties")) {
      if (in == null) {
        throw new IllegalStateException("build-info.properties missing from the classpath");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new IllegalStateException("build-info.properties unreadable", e);
    }
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("token.server.build.info", () -> 1)
        .description("Always 1; the version label names the running build")
        .tag("version", version())
        .register(registry);
  }
}
