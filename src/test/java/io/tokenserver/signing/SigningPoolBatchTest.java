package io.tokenserver.signing;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class SigningPoolBatchTest {

  private final Vertx vertx = Vertx.vertx();
  private final SigningPool pool = new SigningPool(vertx, 2, 100);

  @AfterEach
  void close() {
    pool.close();
    vertx.close().await();
  }

  /** Records where it was signed and what was signed when its answer came back. */
  private static final class Recording implements SigningPool.Job {
    final AtomicInteger signed;
    final CountDownLatch completed;
    volatile String signThread;
    volatile String completeThread;
    volatile int signedAtCompletion;

    Recording(AtomicInteger signed, CountDownLatch completed) {
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
      completed.countDown();
    }
  }

  @Test
  void jobsOfOneEventLoopTurnAreSignedTogetherAndAnsweredTogether() throws Exception {
    AtomicInteger signed = new AtomicInteger();
    CountDownLatch completed = new CountDownLatch(10);
    List<Recording> jobs = new ArrayList<>();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(ignored -> {
      SigningPool.Batcher batcher = pool.batcher(context);
      for (int i = 0; i < 10; i++) {
        Recording job = new Recording(signed, completed);
        jobs.add(job);
        assertThat(batcher.submit(job)).isTrue();
      }
    });
    assertThat(completed.await(10, TimeUnit.SECONDS)).isTrue();

    assertThat(jobs).extracting(job -> job.signThread).containsOnly(jobs.get(0).signThread);
    assertThat(jobs.get(0).signThread).startsWith(SigningPool.NAME);
    assertThat(jobs).extracting(job -> job.completeThread).allMatch(name -> name.startsWith("vert.x-eventloop"));
    // One task back: the first answer is written only after the whole batch was signed.
    assertThat(jobs).extracting(job -> job.signedAtCompletion).containsOnly(10);
    assertThat(pool.pending()).isZero();
  }

  @Test
  void aLoneRequestIsABatchOfOne() throws Exception {
    AtomicInteger signed = new AtomicInteger();
    CountDownLatch completed = new CountDownLatch(1);
    Recording job = new Recording(signed, completed);
    Context context = vertx.getOrCreateContext();
    context.runOnContext(ignored -> pool.batcher(context).submit(job));
    assertThat(completed.await(10, TimeUnit.SECONDS)).as("answered without waiting for company").isTrue();
    assertThat(job.signedAtCompletion).isEqualTo(1);
  }

  @Test
  void overTheBoundSubmitRefusesAtOnce() throws Exception {
    SigningPool small = new SigningPool(vertx, 1, 3);
    try {
      AtomicInteger signed = new AtomicInteger();
      CountDownLatch completed = new CountDownLatch(3);
      Context context = vertx.getOrCreateContext();
      CompletableFuture<List<Boolean>> accepted = new CompletableFuture<>();
      context.runOnContext(ignored -> {
        SigningPool.Batcher batcher = small.batcher(context);
        List<Boolean> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          answers.add(batcher.submit(new Recording(signed, completed)));
        }
        accepted.complete(answers);
      });
      assertThat(accepted.get(10, TimeUnit.SECONDS)).containsExactly(true, true, true, false, false);
      assertThat(small.rejected()).isEqualTo(2);
      assertThat(completed.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Integer> pendingAfter = new CompletableFuture<>();
      context.runOnContext(ignored -> pendingAfter.complete(small.pending()));
      assertThat(pendingAfter.get(10, TimeUnit.SECONDS)).isZero();
    } finally {
      small.close();
    }
  }

  @Test
  void aJobThatThrowsAnErrorLeaksNoPendingCountAndItsBatchStillCompletes() throws Exception {
    AtomicInteger signed = new AtomicInteger();
    CountDownLatch completed = new CountDownLatch(3);
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
          completed.countDown();
        }
      });
      batcher.submit(new Recording(signed, completed));
    });
    assertThat(completed.await(10, TimeUnit.SECONDS)).as("every job of the batch completes").isTrue();
    assertThat(signed.get()).as("the jobs after the failing one still signed").isEqualTo(2);
    CompletableFuture<Integer> pendingAfter = new CompletableFuture<>();
    context.runOnContext(ignored -> pendingAfter.complete(pool.pending()));
    assertThat(pendingAfter.get(10, TimeUnit.SECONDS)).isZero();
  }
}
