package io.tokenserver.credentials;

import io.tokenserver.config.CredentialFiles;
import io.tokenserver.token.AppCredentials;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Objects;

/**
 * Polls {@code APP_ID_FILE} / {@code APP_CERTIFICATE_FILE} (a mounted Secret) and puts a new valid pair in
 * force at once. Polling is used rather than a WatchService: Kubernetes swaps a symlink to update a Secret,
 * which inotify on the file does not report. An invalid or unreadable new value is rejected, logged once
 * (never its content) and counted, and the previous pair keeps serving.
 */
public final class CredentialFileWatcher {

  private static final Logger LOG = LoggerFactory.getLogger(CredentialFileWatcher.class);

  private final String project;
  private final CredentialFiles files;
  private final CredentialsHolder holder;
  private final CredentialReloads counts;
  private Integer lastFailure;
  private boolean busy;

  private CredentialFileWatcher(String project, CredentialFiles files, CredentialsHolder holder,
      CredentialReloads counts) {
    this.project = project;
    this.files = files;
    this.holder = holder;
    this.counts = counts;
  }

  /** Starts polling {@code project}'s files on {@code vertx}, counting in {@code counts}; returns the timer's id. */
  static long start(Vertx vertx, String project, CredentialFiles files, CredentialsHolder holder,
      CredentialReloads counts) {
    CredentialFileWatcher watcher = new CredentialFileWatcher(project, files, holder, counts);
    return vertx.setPeriodic(files.reloadInterval().toMillis(), id -> {
      if (watcher.busy) {
        return;
      }
      watcher.busy = true;
      vertx.executeBlocking(() -> {
        watcher.check();
        return null;
      }).onComplete(done -> watcher.busy = false);
    });
  }

  /** One poll: read both files (twice, so a half-done rotation is never taken for a pair), then offer. */
  void check() {
    AppCredentials first;
    AppCredentials second;
    try {
      first = read();
      second = read();
    } catch (IOException e) {
      fail(e.getClass().getSimpleName().hashCode(), "cannot read the credential files: " + e.getClass().getSimpleName());
      return;
    }
    if (!first.equals(second)) {
      return; // the files are changing right now; the next poll sees them settled
    }
    try {
      if (holder.offer(first)) {
        counts.reloads.increment();
        LOG.info("app credentials reloaded from files: project={} appId={}", project, first.appId());
      }
      lastFailure = null;
    } catch (IllegalArgumentException e) {
      fail(Objects.hash(first.appId(), first.appCertificate()), e.getMessage());
    }
  }

  private AppCredentials read() throws IOException {
    AppCredentials now = holder.get();
    String appId = files.appIdFile() == null ? now.appId() : CredentialFiles.readSmall(files.appIdFile());
    String certificate = files.appCertificateFile() == null ? now.appCertificate()
        : CredentialFiles.readSmall(files.appCertificateFile());
    return new AppCredentials(appId, certificate);
  }

  /** Counts and logs each distinct bad content once, not once per poll. */
  private void fail(int fingerprint, String reason) {
    if (lastFailure != null && lastFailure == fingerprint) {
      return;
    }
    lastFailure = fingerprint;
    counts.failures.increment();
    LOG.error("rejected new app credentials from files of project {} ({}); still serving the previous ones",
        project, reason);
  }
}
