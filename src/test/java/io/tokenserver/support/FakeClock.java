package io.tokenserver.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that stands still until a test moves it: time-dependent answers become exact. */
public final class FakeClock extends Clock {

  private volatile Instant now;

  public FakeClock(Instant start) {
    this.now = start;
  }

  /** Starting at the current second, so that libraries reading the system clock (JWT exp checks) agree with it. */
  public static FakeClock atNow() {
    return new FakeClock(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
  }

  public long epochSecond() {
    return now.getEpochSecond();
  }

  public void advance(Duration duration) {
    now = now.plus(duration);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a FakeClock is UTC");
  }
}
