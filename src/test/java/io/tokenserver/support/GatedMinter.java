package io.tokenserver.support;

import io.tokenserver.token.AccessToken2Minter;
import io.tokenserver.token.ChatTokenRequest;
import io.tokenserver.token.RtcTokenRequest;
import io.tokenserver.token.RtmTokenRequest;
import io.tokenserver.token.TokenMinter;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Mints real tokens, but holds every RTM signing until {@link #release} opens (or {@code maxHold} passes),
 * so a test decides how long a request stays in flight. RTC and Chat tokens pass straight through.
 */
public final class GatedMinter implements TokenMinter {

  /** Opens when the first RTM signing has started. */
  public final CountDownLatch entered = new CountDownLatch(1);
  /** Open it to let held signings finish. */
  public final CountDownLatch release = new CountDownLatch(1);
  private final Duration maxHold;
  private final TokenMinter real = new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS);

  public GatedMinter() {
    this(Duration.ofSeconds(20));
  }

  public GatedMinter(Duration maxHold) {
    this.maxHold = maxHold;
  }

  @Override
  public String rtc(RtcTokenRequest request) {
    return real.rtc(request);
  }

  @Override
  public String rtm(RtmTokenRequest request) {
    entered.countDown();
    try {
      release.await(maxHold.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return real.rtm(request);
  }

  @Override
  public String chat(ChatTokenRequest request) {
    return real.chat(request);
  }
}
