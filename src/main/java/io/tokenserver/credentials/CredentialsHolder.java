package io.tokenserver.credentials;

import io.tokenserver.token.AppCredentials;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The app credentials in force, swapped atomically when they rotate. The minter reads them once per
 * token, so every token is signed with one consistent pair.
 */
public final class CredentialsHolder implements Supplier<AppCredentials> {

  private static final Pattern HEX_32 = Pattern.compile("[0-9a-fA-F]{32}");

  private final AtomicReference<AppCredentials> current;

  public CredentialsHolder(AppCredentials initial) {
    this.current = new AtomicReference<>(initial);
  }

  @Override
  public AppCredentials get() {
    return current.get();
  }

  /**
   * Puts {@code candidate} in force if it is valid and new; returns true when it changed anything.
   *
   * @throws IllegalArgumentException naming the invalid field (never its value); the old pair stays
   */
  public boolean offer(AppCredentials candidate) {
    if (candidate.appId() == null || !HEX_32.matcher(candidate.appId()).matches()) {
      throw new IllegalArgumentException("app id must be 32 hexadecimal characters");
    }
    if (candidate.appCertificate() == null || !HEX_32.matcher(candidate.appCertificate()).matches()) {
      throw new IllegalArgumentException("app certificate must be 32 hexadecimal characters");
    }
    AppCredentials before = current.get();
    if (before.equals(candidate)) {
      return false;
    }
    return current.compareAndSet(before, candidate);
  }
}
