package io.tokenserver.signing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs signing off the event loop on a dedicated worker pool, bounded so that overload turns into fast
 * rejections instead of a growing queue.
 */
public final class SigningPool {

  public static final String NAME = "token-signing";

  private final WorkerExecutor executor;
  private final int maxPending;
  private final AtomicInteger pending = new AtomicInteger();
  private final LongAdder rejected = new LongAdder();

  public SigningPool(Vertx vertx, int poolSize, int maxPending) {
    this.executor = vertx.createSharedWorkerExecutor(NAME, poolSize);
    this.maxPending = maxPending;
  }

  /**
   * Runs {@code task} on the pool; the returned future completes on the caller's context. Fails at once
   * with {@link SigningPoolSaturatedException} when {@code maxPending} tasks are already waiting or running.
   */
  public <T> Future<T> submit(Callable<T> task) {
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      rejected.increment();
      return Future.failedFuture(new SigningPoolSaturatedException());
    }
    // ordered=false: the default would serialise every request of an event loop onto one worker.
    return executor.executeBlocking(task, false).andThen(done -> pending.decrementAndGet());
  }

  /** Signings waiting or running now. */
  public int pending() {
    return pending.get();
  }

  /** Signings turned away since start. */
  public long rejected() {
    return rejected.sum();
  }

  public Future<Void> close() {
    return executor.close();
  }
}
