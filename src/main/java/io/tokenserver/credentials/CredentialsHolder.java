package io.tokenserver.credentials;

import io.tokenserver.token.AppCredentials;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The app credentials in force, swapped atomically when they rotate. The minter reads them once per
 * token, so every token is signed with one consistent pair. The pair in force before the last rotation is
 * kept, so that tokens minted just before it can still be inspected.
 */
public final class CredentialsHolder implements Supplier<AppCredentials> {

  private record Pair(AppCredentials current, AppCredentials previous) {
  }

  private final AtomicReference<Pair> pair;

  public CredentialsHolder(AppCredentials initial) {
    this.pair = new AtomicReference<>(new Pair(initial, null));
  }

  @Override
  public AppCredentials get() {
    return pair.get().current();
  }

  /** The credentials in force before the last rotation, or null when there was none. */
  public AppCredentials previous() {
    return pair.get().previous();
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
    Pair before = pair.get();
    if (before.current().equals(candidate)) {
      return false;
    }
    return pair.compareAndSet(before, new Pair(candidate, before.current()));
  }
}
