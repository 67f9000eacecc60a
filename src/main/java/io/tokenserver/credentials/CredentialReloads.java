package io.tokenserver.credentials;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.concurrent.atomic.LongAdder;

/** One project's credential reloads from files, and the new contents rejected, for the scrape. */
final class CredentialReloads implements MeterBinder {

  private final String project;
  final LongAdder reloads = new LongAdder();
  final LongAdder failures = new LongAdder();

  CredentialReloads(String project) {
    this.project = project;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("token.server.credential.reloads", reloads, LongAdder::sum)
        .description("New app credentials put in force from the credential files")
        .tag("project", project)
        .register(registry);
    FunctionCounter.builder("token.server.credential.reload.failures", failures, LongAdder::sum)
        .description("New credential file contents rejected as unreadable or invalid; the old ones keep serving")
        .tag("project", project)
        .register(registry);
  }
}
