package io.tokenserver.ratelimit;

import io.tokenserver.config.RateLimitConfig;
import io.vertx.core.Completable;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every replica spends from the same per-caller buckets, kept in Redis ({@link RedisBuckets}: no thread ever
 * waits for Redis). Each check has a deadline of {@code RATE_LIMIT_REDIS_TIMEOUT_MS}; a check that misses it
 * is answered by the failure policy (the replica's own buckets, {@code local}, or a refusal, {@code deny}),
 * and three misses in a row mark Redis down: until a background probe gets an answer again, every check is
 * answered at once by the policy. Each transition logs one WARN line.
 */
final class RedisRateLimiter implements RateLimiter {

  private static final Logger LOG = LoggerFactory.getLogger(RedisRateLimiter.class);
  private static final long FIRST_PROBE_MS = 100;
  private static final long MAX_PROBE_MS = 2_000;
  /** Checks in a row without an answer in time that mark Redis down: one late answer is a hiccup, not an outage. */
  private static final int FAILURES_TO_MARK_DOWN = 3;

  private final Vertx vertx;
  /** Where probes are timed, and where checks made off any Vert.x thread go. */
  private final ContextInternal home;
  private final RateLimitConfig.Redis settings;
  private final LocalRateLimiter local;
  private final Decision denied;
  private final RedisBuckets buckets;
  private final AtomicBoolean up = new AtomicBoolean();
  private final AtomicInteger failuresInARow = new AtomicInteger();
  private volatile boolean closed;

  private RedisRateLimiter(Vertx vertx, RateLimitConfig config, LocalRateLimiter local) {
    this.vertx = vertx;
    this.home = ((VertxInternal) vertx).getOrCreateContext();
    this.settings = config.redis();
    this.local = local;
    this.denied = new Decision(false, config.burst(), 0, 1, 1);
    this.buckets = new RedisBuckets(vertx, config, () -> failuresInARow.set(0), this::unanswered);
  }

  /** Completes once the first connection attempt is over, connected or not (then falling back and probing). */
  static Future<RedisRateLimiter> connect(Vertx vertx, RateLimitConfig config, LocalRateLimiter local) {
    RedisRateLimiter limiter = new RedisRateLimiter(vertx, config, local);
    ((VertxInternal) vertx).addCloseHook(limiter::close);
    Promise<RedisRateLimiter> ready = Promise.promise();
    limiter.buckets.loadEverywhere().onComplete(loaded -> {
      if (loaded.succeeded()) {
        limiter.up.set(true);
        LOG.info("rate limits shared through Redis (key prefix {}, {} ms per check)",
            limiter.settings.keyPrefix(), limiter.settings.timeout().toMillis());
      } else {
        LOG.warn("rate-limit backend Redis is unreachable at startup ({}); {} until it answers",
            limiter.describe(loaded.cause()), limiter.policy());
        limiter.scheduleProbe(FIRST_PROBE_MS);
      }
      ready.complete(limiter);
    });
    return ready.future();
  }

  @Override
  public Future<Decision> tryAcquire(String caller) {
    if (!up.get()) {
      return Future.succeededFuture(fallback(caller));
    }
    ContextInternal context = (ContextInternal) Vertx.currentContext();
    if (context == null) {
      Promise<Decision> answer = home.promise();
      home.runOnContext(ignored -> buckets.take(home, caller, answer));
      return answer.future();
    }
    Promise<Decision> answer = context.promise();
    buckets.take(context, caller, answer);
    return answer.future();
  }

  @Override
  public boolean backendUp() {
    return up.get();
  }

  /** The callers of the fallback buckets, and whether Redis answers. */
  @Override
  public void bindTo(MeterRegistry registry) {
    local.bindTo(registry, this::backendUp);
  }

  /** A check without an answer in time: answered by the policy, and counted towards marking Redis down. */
  private Decision unanswered(String caller, Throwable failure) {
    failed(failure);
    return fallback(caller);
  }

  private Decision fallback(String caller) {
    return settings.onFailure() == RateLimitConfig.RedisFailure.LOCAL ? local.acquire(caller) : denied;
  }

  /** A check without an answer was answered by the policy; enough of them in a row mark Redis down. */
  private void failed(Throwable failure) {
    if (failuresInARow.incrementAndGet() >= FAILURES_TO_MARK_DOWN && up.compareAndSet(true, false)) {
      LOG.warn("rate-limit backend Redis stopped answering ({} checks in a row failed or took over {} ms, last: {});"
          + " {} until it answers again", FAILURES_TO_MARK_DOWN, settings.timeout().toMillis(), describe(failure),
          policy());
      scheduleProbe(FIRST_PROBE_MS);
    }
  }

  private void scheduleProbe(long delayMs) {
    if (!closed) {
      home.setTimer(delayMs, id -> probe(delayMs));
    }
  }

  /** Connects each event loop if need be and loads the script; backs off up to {@link #MAX_PROBE_MS} while Redis stays down. */
  private void probe(long delayMs) {
    if (closed) {
      return;
    }
    buckets.loadEverywhere().onComplete(answered -> {
      if (answered.failed()) {
        scheduleProbe(Math.min(delayMs * 2, MAX_PROBE_MS));
      } else if (!closed && up.compareAndSet(false, true)) {
        failuresInARow.set(0);
        LOG.warn("rate-limit backend Redis answers again: limits are shared across replicas again");
      }
    });
  }

  private String policy() {
    return settings.onFailure() == RateLimitConfig.RedisFailure.LOCAL
        ? "each replica limits callers on its own (RATE_LIMIT_REDIS_FAILURE=local)"
        : "limited requests are refused with 429 (RATE_LIMIT_REDIS_FAILURE=deny)";
  }

  /** The failure's kind only: a message could quote the URL, and with it a password. */
  private String describe(Throwable failure) {
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    return cause instanceof java.util.concurrent.TimeoutException ? "no answer in time"
        : cause.getClass().getSimpleName();
  }

  private void close(Completable<Void> done) {
    closed = true;
    up.set(false);
    buckets.close().onComplete(ignored -> done.succeed());
  }
}
