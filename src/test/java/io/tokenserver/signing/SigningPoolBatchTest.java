package io.tokenserver.signing;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The Vert.x instance is the extension's (closed by it); checks run on the event loop and fail the test there. */
@ExtendWith(VertxExtension.class)
class SigningPoolBatchTest {

  private Vertx vertx;
  private SigningPool pool;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    this.pool = new SigningPool(vertx, 2, 100);
  }

  @AfterEach
  void close() {
    pool.close();
  }

  /** Records where it was signed and what was signed when its answer came back. */
  private static final class Recording implements SigningPool.Job {
    final AtomicInteger signed;
    final Runnable completed;
    volatile String signThread;
    volatile String completeThread;
    volatile int signedAtCompletion;

    Recording(AtomicInteger signed, Runnable completed) {
      this.signed = signed;
      this.completed = completed;
    }

    @Override
    public void sign() {
      signThread = Thread.currentThread().getName();
      signed.incrementAndGet();
    }

    @Override
    public void complete() {
      completeThread = Thread.currentThread().getName();
      signedAtCompletion = signed.get();
      completed.run();
    }
  }

  /** Counts completions; at the {@code count}th, runs {@code checks} (on that thread) and completes the test. */
  private static Runnable after(int count, VertxTestContext testContext, VertxTestContext.ExecutionBlock checks) {
    AtomicInteger left = new AtomicInteger(count);
    return () -> {
      if (left.decrementAndGet() == 0) {
        testContext.verify(() -> {
          checks.apply();
          testContext.completeNow();
        });
      }
    };
  }

  @Test
  void jobsOfOneEventLoopTurnAreSignedTogetherAndAnsweredTogether(VertxTestContext testContext) {
    AtomicInteger signed = new AtomicInteger();
    List<Recording> jobs = new ArrayList<>();
    Runnable completed = after(10, testContext, () -> {
      assertThat(jobs).extracting(job -> job.signThread).containsOnly(jobs.get(0).signThread);
      assertThat(jobs.get(0).signThread).startsWith(SigningPool.NAME);
      assertThat(jobs).extracting(job -> job.completeThread).allMatch(name -> name.startsWith("vert.x-eventloop"));
      // One task back: the first answer is written only after the whole batch was signed.
      assertThat(jobs).extracting(job -> job.signedAtCompletion).containsOnly(10);
      assertThat(pool.pending()).isZero();
    });
    Context context = vertx.getOrCreateContext();
    context.runOnContext(ignored -> testContext.verify(() -> {
      SigningPool.Batcher batcher = pool.batcher(context);
      for (int i = 0; i < 10; i++) {
        Recording job = new Recording(signed, completed);
        jobs.add(job);
        assertThat(batcher.submit(job)).isTrue();
      }
    }));
  }

  @Test
  void aLoneRequestIsABatchOfOne(VertxTestContext testContext) {
    AtomicInteger signed = new AtomicInteger();
    Recording[] job = new Recording[1];
    job[0] = new Recording(signed, after(1, testContext,
        () -> assertThat(job[0].signedAtCompletion).as("answered without waiting for company").isEqualTo(1)));
    Context context = vertx.getOrCreateContext();
    context.runOnContext(ignored -> testContext.verify(() -> assertThat(pool.batcher(context).submit(job[0])).isTrue()));
  }

  @Test
  void overTheBoundSubmitRefusesAtOnce(VertxTestContext testContext) {
    SigningPool small = new SigningPool(vertx, 1, 3);
    AtomicInteger signed = new AtomicInteger();
    Runnable completed = after(3, testContext, () -> {
      assertThat(small.pending()).isZero();
      small.close();
    });
    Context context = vertx.getOrCreateContext();
    context.runOnContext(ignored -> testContext.verify(() -> {
      SigningPool.Batcher batcher = small.batcher(context);
      List<Boolean> answers = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        answers.add(batcher.submit(new Recording(signed, completed)));
      }
      assertThat(answers).containsExactly(true, true, true, false, false);
      assertThat(small.rejected()).isEqualTo(2);
    }));
  }

  @Test
  void aJobThatThrowsAnErrorLeaksNoPendingCountAndItsBatchStillCompletes(VertxTestContext testContext) {
    AtomicInteger signed = new AtomicInteger();
    Runnable completed = after(3, testContext, () -> {
      assertThat(signed.get()).as("the jobs after the failing one still signed").isEqualTo(2);
      assertThat(pool.pending()).isZero();
    });
    Context context = vertx.getOrCreateContext();
    context.runOnContext(ignored -> {
      SigningPool.Batcher batcher = pool.batcher(context);
      batcher.submit(new Recording(signed, completed));
      batcher.submit(new SigningPool.Job() {
        @Override
        public void sign() {
          throw new StackOverflowError("a minter gone wrong");
        }

        @Override
        public void complete() {
          completed.run();
        }
      });
      batcher.submit(new Recording(signed, completed));
    });
  }
}
