package io.tokenserver.signing;

import io.vertx.core.Context;
import io.vertx.core.Handler;

import java.util.ArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs signing off the event loop on a dedicated pool of threads, bounded so that overload turns into
 * fast rejections instead of a growing queue. Work crosses in batches: the jobs an event loop submits
 * during one turn travel to the pool as one task and come back as one task (under load a thread wake-up
 * per request costs more than the token itself); at low load a batch is a single job.
 */
public final class SigningPool {

  public static final String NAME = "token-signing";

  /** One signing: {@link #sign} runs on a pool thread and must not throw; {@link #complete} runs back on the event loop. */
  public interface Job {
    void sign();

    void complete();
  }

  private final ExecutorService workers;
  private final int maxPending;
  private final AtomicInteger pending = new AtomicInteger();
  private final LongAdder rejected = new LongAdder();

  public SigningPool(int poolSize, int maxPending) {
    AtomicInteger threads = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(poolSize, task -> {
      Thread thread = new Thread(task, NAME + "-" + threads.getAndIncrement());
      thread.setDaemon(true);
      return thread;
    });
    this.maxPending = maxPending;
  }

  /** The batcher of one event loop; call it only from {@code context}'s thread. */
  public Batcher batcher(Context context) {
    return new Batcher(context);
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
    workers.shutdown();
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
      workers.execute(() -> {
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).sign();
        }
        context.runOnContext(ignored -> {
          pending.addAndGet(-batch.size());
          for (int i = 0; i < batch.size(); i++) {
            batch.get(i).complete();
          }
        });
      });
    }
  }
}
