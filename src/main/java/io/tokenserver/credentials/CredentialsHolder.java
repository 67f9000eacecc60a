package io.tokenserver.credentials;

import io.tokenserver.token.AppCredentials;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The app credentials in force, swapped atomically when they rotate. The minter reads them once per
 * token, so every token is signed with one consistent pair.
 */
public final class CredentialsHolder implements Supplier<AppCredentials> {

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
    if (!AppCredentials.isHex32(candidate.appId())) {
      throw new IllegalArgumentException("app id must be 32 hexadecimal characters");
    }
    if (!AppCredentials.isHex32(candidate.appCertificate())) {
      throw new IllegalArgumentException("app certificate must be 32 hexadecimal characters");
    }
    AppCredentials before = current.get();
    if (before.equals(candidate)) {
      return false;
    }
    return current.compareAndSet(before, candidate);
  }
}
