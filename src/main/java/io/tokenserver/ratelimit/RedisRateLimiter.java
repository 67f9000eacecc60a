package io.tokenserver.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.tokenserver.config.RateLimitConfig;
import io.vertx.core.Completable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every replica spends from the same per-caller buckets, kept in Redis by Bucket4j (compare-and-swap over
 * Lettuce's asynchronous API: no thread ever waits for Redis). Each check has a deadline of
 * {@code RATE_LIMIT_REDIS_TIMEOUT_MS}; a check that misses it is answered by the failure policy (the replica's
 * own buckets, {@code local}, or a refusal, {@code deny}), and three misses in a row mark Redis down: until a
 * background probe gets an answer again, every check is answered at once by the policy. Each transition logs
 * one WARN line.
 */
final class RedisRateLimiter implements RateLimiter {

  private static final Logger LOG = LoggerFactory.getLogger(RedisRateLimiter.class);
  private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
  private static final long FIRST_PROBE_MS = 100;
  private static final long MAX_PROBE_MS = 2_000;
  /** Checks in a row without an answer in time that mark Redis down: one late answer is a hiccup, not an outage. */
  private static final int FAILURES_TO_MARK_DOWN = 3;

  private final Vertx vertx;
  private final RateLimitConfig.Redis settings;
  private final long perSecond;
  private final long burst;
  private final LocalRateLimiter local;
  private final Decision denied;
  private final BucketConfiguration configuration;
  private final ClientResources resources;
  private final RedisClient client;
  private final RedisURI uri;
  private final Cache<String, AsyncBucketProxy> proxies;
  private final AtomicBoolean up = new AtomicBoolean();
  private final AtomicInteger failuresInARow = new AtomicInteger();
  private volatile StatefulRedisConnection<String, byte[]> connection;
  private volatile AsyncProxyManager<String> buckets;
  private volatile boolean closed;

  private RedisRateLimiter(Vertx vertx, RateLimitConfig config, LocalRateLimiter local) {
    this.vertx = vertx;
    this.settings = config.redis();
    this.perSecond = config.perSecond();
    this.burst = config.burst();
    this.local = local;
    this.denied = new Decision(false, burst, 0, 1, 1);
    this.configuration = BucketConfiguration.builder().addLimit(LocalRateLimiter.bandwidth(perSecond, burst)).build();
    this.resources = ClientResources.builder()
        .ioThreadPoolSize(1)
        .computationThreadPoolSize(1)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
    this.uri = RedisURI.create(settings.url());
    String password = settings.password();
    if (password != null) {
      uri.setPassword(password.toCharArray());
    }
    this.client = RedisClient.create(resources);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        // While disconnected, fail at once (and fall back) instead of queueing until the deadline.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
        .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).keepAlive(true).build())
        .build());
    // Batching needs one proxy per caller: concurrent checks of a caller then share a Redis round trip.
    this.proxies = Caffeine.newBuilder()
        .maximumSize(config.maxCallers())
        .expireAfterAccess(Duration.ofNanos(LocalRateLimiter.nanosToFill(perSecond, burst)).plusSeconds(1))
        .executor(Runnable::run)
        .build();
  }

  /** Completes once the first connection attempt is over, connected or not (then falling back and probing). */
  static Future<RedisRateLimiter> connect(Vertx vertx, RateLimitConfig config, LocalRateLimiter local) {
    // Building the client loads Lettuce and starts its threads: not on an event loop.
    return vertx.executeBlocking(() -> new RedisRateLimiter(vertx, config, local)).compose(limiter -> {
      ((VertxInternal) vertx).addCloseHook(limiter::close);
      Promise<RedisRateLimiter> ready = Promise.promise();
      limiter.openConnection().whenComplete((connected, failure) -> {
        if (failure == null) {
          limiter.up.set(true);
          LOG.info("rate limits shared through Redis (key prefix {}, {} ms per check)",
              limiter.settings.keyPrefix(), limiter.settings.timeout().toMillis());
        } else {
          LOG.warn("rate-limit backend Redis is unreachable at startup ({}); {} until it answers",
              limiter.describe(failure), limiter.policy());
          limiter.scheduleProbe(FIRST_PROBE_MS);
        }
        ready.complete(limiter);
      });
      return ready.future();
    });
  }

  @Override
  public Future<Decision> tryAcquire(String caller) {
    if (!up.get()) {
      return Future.succeededFuture(fallback(caller));
    }
    CompletableFuture<Decision> answer;
    try {
      answer = proxies.get(caller, this::proxy)
          .tryConsumeAndReturnRemaining(1)
          .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
          .handle((probe, failure) -> {
            if (failure == null) {
              failuresInARow.set(0);
              return LocalRateLimiter.decision(probe, perSecond, burst);
            }
            failed(failure);
            return fallback(caller);
          });
    } catch (RuntimeException e) {
      failed(e);
      return Future.succeededFuture(fallback(caller));
    }
    // Lettuce's own threads complete the answer: hop back to the caller's event loop before it is used.
    Context context = Vertx.currentContext();
    return context == null ? Future.fromCompletionStage(answer) : Future.fromCompletionStage(answer, context);
  }

  boolean isUp() {
    return up.get();
  }

  private AsyncBucketProxy proxy(String caller) {
    return buckets.builder()
        .withOptimization(Optimizations.batching())
        .build(settings.keyPrefix() + caller, () -> CompletableFuture.completedFuture(configuration));
  }

  private Decision fallback(String caller) {
    return settings.onFailure() == RateLimitConfig.RedisFailure.LOCAL ? local.acquire(caller) : denied;
  }

  /** Connects, then runs one check on a key of its own, so that the first caller's is not the slow one. */
  private CompletableFuture<Void> openConnection() {
    return client.connectAsync(CODEC, uri).toCompletableFuture().thenCompose(opened -> {
      // A bucket idle long enough to be full again is dropped (one second later): a new one is identical.
      buckets = Bucket4jLettuce.casBasedBuilder(opened)
          .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(1)))
          .build()
          .asAsync();
      connection = opened;
      return proxy(":warm-up").tryConsume(1).thenAccept(consumed -> { });
    });
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
      vertx.setTimer(delayMs, id -> probe(delayMs));
    }
  }

  /** Reconnects (if never connected) or PINGs; backs off up to {@link #MAX_PROBE_MS} while Redis stays down. */
  private void probe(long delayMs) {
    if (closed) {
      return;
    }
    CompletableFuture<?> attempt;
    try {
      attempt = connection == null ? openConnection()
          : connection.async().ping().toCompletableFuture().orTimeout(settings.timeout().toMillis(),
              TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      attempt = CompletableFuture.failedFuture(e);
    }
    attempt.whenComplete((answered, failure) -> {
      if (failure != null) {
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
    StatefulRedisConnection<String, byte[]> open = connection;
    CompletableFuture<Void> closing = open == null ? CompletableFuture.completedFuture(null) : open.closeAsync();
    closing.handle((ignored, failure) -> null)
        .thenCompose(ignored -> client.shutdownAsync(0, 2, TimeUnit.SECONDS))
        .whenComplete((ignored, failure) ->
            resources.shutdown(0, 2, TimeUnit.SECONDS).addListener(shut -> done.succeed()));
  }
}
