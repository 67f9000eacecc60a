package io.tokenserver.support;

import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts the Vert.x instances built in this JVM: Vert.x initialises every service provider once per instance. */
public final class VertxInstances implements VertxServiceProvider {

  private static final AtomicInteger BUILT = new AtomicInteger();

  /** Vert.x instances built so far. */
  public static int built() {
    return BUILT.get();
  }

  @Override
  public void init(VertxBootstrap builder) {
    BUILT.incrementAndGet();
  }
}
