package io.tokenserver.signing;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs signing off the event loop on a named Vert.x worker pool ({@link #NAME}, watched by Vert.x's
 * blocked-thread checker), bounded so that overload turns into fast rejections instead of a growing queue.
 * Work crosses in batches: the jobs an event loop submits during one turn travel to the pool as one task
 * and come back as one task (under load a thread wake-up per request costs more than the token itself); at
 * low load a batch is a single job. Whatever a job throws, every job of its batch completes and leaves the
 * pending count.
 */
public final class SigningPool {

  public static final String NAME = "token-signing";

  /**
   * One signing: {@link #sign} runs on a pool thread and should record its own failure rather than throw;
   * {@link #complete} runs back on the event loop, also when {@link #sign} threw.
   */
  public interface Job {
    void sign();

    void complete();
  }

  private final WorkerExecutor workers;
  private final int maxPending;
  private final AtomicInteger pending = new AtomicInteger();
  private final LongAdder rejected = new LongAdder();

  /** {@code poolSize} threads of {@code vertx}, named {@link #NAME}; at most {@code maxPending} signings at once. */
  public SigningPool(Vertx vertx, int poolSize, int maxPending) {
    this.workers = vertx.createSharedWorkerExecutor(NAME, poolSize);
    this.maxPending = maxPending;
  }

  /** The batcher of one event loop; call it only from {@code context}'s thread. */
  public Batcher batcher(Context context) {
    return new Batcher(context);
  }

  /** Signings queued or running at which new requests are answered 503. */
  public int maxPending() {
    return maxPending;
  }

  /** Signings waiting or running now. */
  public int pending() {
    return pending.get();
  }

  /** Signings turned away since start. */
  public long rejected() {
    return rejected.sum();
  }

  /** Stops the pool threads once the batches already handed over are signed. */
  public void close() {
    workers.close();
  }

  /** Collects one event loop's jobs until the end of its turn, then hands them over together. */
  public final class Batcher {

    private final Context context;
    private final Handler<Void> flush = ignored -> flush();
    private ArrayList<Job> open = new ArrayList<>();

    private Batcher(Context context) {
      this.context = context;
    }

    /**
     * Queues {@code job} for this turn's batch. Returns false, at once, when {@code maxPending} signings
     * are already waiting or running: the caller answers 503.
     */
    public boolean submit(Job job) {
      if (pending.incrementAndGet() > maxPending) {
        pending.decrementAndGet();
        rejected.increment();
        return false;
      }
      open.add(job);
      if (open.size() == 1) {
        // Runs after the I/O of this turn: every request read in it joins the batch.
        context.runOnContext(flush);
      }
      return true;
    }

    private void flush() {
      ArrayList<Job> batch = open;
      open = new ArrayList<>();
      // Unordered: the batches of one event loop may sign on several threads at once.
      workers.executeBlocking(() -> signAll(batch), false).onComplete(signed -> completeAll(batch));
    }

    private Void signAll(ArrayList<Job> batch) {
      for (int i = 0; i < batch.size(); i++) {
        try {
          batch.get(i).sign();
        } catch (Throwable failure) {
          // The job's own complete() answers for it; the rest of the batch still signs.
        }
      }
      return null;
    }

    /** Back on the event loop: every job leaves the pending count and completes, whatever another one does. */
    private void completeAll(ArrayList<Job> batch) {
      pending.addAndGet(-batch.size());
      RuntimeException first = null;
      for (int i = 0; i < batch.size(); i++) {
        try {
          batch.get(i).complete();
        } catch (RuntimeException failure) {
          first = first == null ? failure : first;
        }
      }
      if (first != null) {
        throw first; // Vert.x reports it, once the whole batch is answered
      }
    }
  }
}
