package io.tokenserver.ratelimit;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.tokenserver.config.RateLimitConfig;
import io.tokenserver.ratelimit.RateLimiter.Decision;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * Every caller's token bucket as one Redis key, spent by one atomic Lua script, so replicas sharing the Redis
 * can never together let more through than one bucket allows. The checks an event loop makes in one turn go
 * to Redis together, as one {@code EVALSHA} over all their keys, on a connection of that same event loop (the
 * Vert.x Redis client): one write and one round trip per turn, and no thread hop.
 */
final class RedisBuckets {

  /**
   * GCRA: a key holds the time (microseconds of the Redis clock, which every replica shares) at which its bucket
   * is full again. Takes one request from each key in KEYS, in order (a key may repeat). ARGV[1]: microseconds
   * per token, ARGV[2]: the burst. Answers per take: the tokens left when taken, or -1 minus the microseconds
   * until one is back when refused. A key expires a second after its bucket is full again.
   */
  static final String SCRIPT = """
      local interval = tonumber(ARGV[1])
      local capacity = interval * tonumber(ARGV[2])
      local clock = redis.call('TIME')
      local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
      local full, taken, answers = {}, {}, {}
      for i, key in ipairs(KEYS) do
        local at = full[key] or tonumber(redis.call('GET', key)) or now
        if at < now then at = now end
        local after = at + interval
        if after - now <= capacity then
          full[key] = after
          taken[key] = true
          answers[i] = math.floor((capacity - (after - now)) / interval)
        else
          full[key] = at
          answers[i] = -1 - math.ceil(after - capacity - now)
        end
      end
      for key in pairs(taken) do
        redis.call('SET', key, full[key], 'PX', math.ceil((full[key] - now) / 1000) + 1000)
      end
      return answers
      """;
  private static final String SHA = sha1(SCRIPT);
  /** Keys in one script call: a turn with more checks sends several calls. */
  private static final int MAX_KEYS_PER_CALL = 256;
  private static final int CONNECT_TIMEOUT_MS = 2_000;
  private static final int MAX_EVENT_LOOPS = 1024;

  private final VertxInternal vertx;
  private final Redis client;
  private final String keyPrefix;
  private final long timeoutMs;
  private final long perSecond;
  private final long burst;
  private final String interval;
  private final String burstArg;
  private final Runnable answered;
  private final BiFunction<String, Throwable, Decision> unanswered;
  private final Map<EventLoop, Loop> loops = new ConcurrentHashMap<>();

  /**
   * {@code answered} runs on each answer from Redis in time; {@code unanswered} answers each check that Redis
   * did not answer in time.
   */
  RedisBuckets(Vertx vertx, RateLimitConfig config, Runnable answered,
      BiFunction<String, Throwable, Decision> unanswered) {
    RateLimitConfig.Redis settings = config.redis();
    this.vertx = (VertxInternal) vertx;
    this.keyPrefix = settings.keyPrefix();
    this.timeoutMs = settings.timeout().toMillis();
    this.perSecond = config.perSecond();
    this.burst = config.burst();
    this.interval = Double.toString(1e6 / perSecond);
    this.burstArg = Long.toString(burst);
    this.answered = answered;
    this.unanswered = unanswered;
    String password = settings.password();
    RedisOptions options = new RedisOptions()
        // A password from the file wins over one in the URL (the client would prefer the URL's).
        .setConnectionString(password == null ? settings.url() : withoutPassword(settings.url()))
        .setPassword(password)
        // Each event loop holds one connection for good (EVENT_LOOPS is at most 1024); the probe shares them.
        .setMaxPoolSize(MAX_EVENT_LOOPS)
        .setNetClientOptions(new NetClientOptions()
            .setConnectTimeout(CONNECT_TIMEOUT_MS)
            .setTcpKeepAlive(true)
            .setTcpNoDelay(true)
            .setHostnameVerificationAlgorithm("HTTPS"));
    this.client = Redis.createClient(vertx, options);
  }

  /** Queues one take from {@code caller}'s bucket; {@code answer} completes on {@code context}'s event loop. */
  void take(ContextInternal context, String caller, Promise<Decision> answer) {
    loops.computeIfAbsent(context.nettyEventLoop(), loop -> new Loop(context.unwrap())).take(caller, answer);
  }

  /**
   * Loads the script on every event loop's connection, opening those there are not, so that the first checks
   * find them ready. Fails when one fails.
   */
  Future<Void> loadEverywhere() {
    List<Future<Void>> loads = new ArrayList<>();
    for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
      loads.add(load(vertx.contextBuilder().withThreadingModel(ThreadingModel.EVENT_LOOP)
          .withEventLoop((EventLoop) loop).build()));
    }
    return Future.all(loads).mapEmpty();
  }

  /**
   * Loads the script on {@code context}'s event-loop connection (connecting it first if need be), within the
   * check deadline, or the connect timeout plus that while there is no connection yet.
   */
  private Future<Void> load(ContextInternal context) {
    Promise<Void> loaded = context.promise();
    context.runOnContext(ignored -> {
      Loop loop = loops.computeIfAbsent(context.nettyEventLoop(), key -> new Loop(context.unwrap()));
      long deadline = loop.connection == null ? CONNECT_TIMEOUT_MS + timeoutMs : timeoutMs;
      loop.within(deadline, loop.connection().compose(connection ->
              connection.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT))), answered -> {
        if (answered.failed()) {
          loaded.fail(answered.cause());
        } else {
          loaded.complete();
        }
      });
    });
    return loaded.future();
  }

  Future<Void> close() {
    return client.close();
  }

  /** Strips the password (keeping a user name) from a Redis URL: its password then comes from the options. */
  private static String withoutPassword(String url) {
    try {
      URI uri = new URI(url);
      String userInfo = uri.getUserInfo();
      if (userInfo == null) {
        return url;
      }
      int colon = userInfo.indexOf(':');
      String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
      return new URI(uri.getScheme(), user.isEmpty() ? null : user, uri.getHost(), uri.getPort(), uri.getPath(),
          uri.getQuery(), uri.getFragment()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("REDIS_URL is not a valid URL"); // the message never repeats the URL
    }
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean noScript(Throwable failure) {
    return failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT");
  }

  /** One event loop's connection and the checks of its current turn; only ever touched on that event loop. */
  private final class Loop {

    private final ContextInternal context;
    private final Handler<Void> flush = ignored -> flush();
    private ArrayList<String> callers = new ArrayList<>();
    private ArrayList<Promise<Decision>> answers = new ArrayList<>();
    private Future<RedisConnection> connection;

    private Loop(ContextInternal context) {
      this.context = context;
    }

    void take(String caller, Promise<Decision> answer) {
      callers.add(caller);
      answers.add(answer);
      if (callers.size() == 1) {
        // Runs after the I/O of this turn: every check read in it joins the call.
        context.runOnContext(flush);
      } else if (callers.size() == MAX_KEYS_PER_CALL) {
        flush();
      }
    }

    private void flush() {
      if (callers.isEmpty()) {
        return; // already sent: the call was full before the turn ended
      }
      ArrayList<String> batchCallers = callers;
      ArrayList<Promise<Decision>> batchAnswers = answers;
      callers = new ArrayList<>();
      answers = new ArrayList<>();
      within(timeoutMs, connection().compose(open -> open.send(call(Command.EVALSHA, SHA, batchCallers))
          // Redis restarted or its scripts were flushed: EVAL runs the script and caches it again.
          .recover(failure -> noScript(failure) ? open.send(call(Command.EVAL, SCRIPT, batchCallers))
              : Future.failedFuture(failure))), outcome -> {
        if (outcome.succeeded()) {
          answered.run();
          answerAll(batchCallers, batchAnswers, outcome.result());
        } else {
          for (int i = 0; i < batchCallers.size(); i++) {
            batchAnswers.get(i).complete(unanswered.apply(batchCallers.get(i), outcome.cause()));
          }
        }
      });
    }

    /** The script over the callers' keys: {@code EVALSHA sha} or {@code EVAL script}. */
    private Request call(Command command, String script, ArrayList<String> batchCallers) {
      Request request = Request.cmd(command).arg(script).arg(batchCallers.size());
      for (int i = 0; i < batchCallers.size(); i++) {
        request.arg(keyPrefix + batchCallers.get(i));
      }
      return request.arg(interval).arg(burstArg);
    }

    private void answerAll(ArrayList<String> batchCallers, ArrayList<Promise<Decision>> batchAnswers,
        Response results) {
      for (int i = 0; i < batchCallers.size(); i++) {
        long result = results.get(i).toLong();
        batchAnswers.get(i).complete(result >= 0
            ? LocalRateLimiter.decision(true, result, 0, perSecond, burst)
            : LocalRateLimiter.decision(false, 0, TimeUnit.MICROSECONDS.toNanos(-1 - result), perSecond, burst));
      }
    }

    /** This event loop's connection, opened on it when there is none; a closed or failed one is forgotten. */
    Future<RedisConnection> connection() {
      if (connection != null) {
        return connection;
      }
      Future<RedisConnection> opening = client.connect();
      connection = opening;
      opening.onComplete(opened -> {
        if (opened.failed()) {
          forget(opening);
        } else {
          opened.result().exceptionHandler(failure -> forget(opening)).endHandler(ended -> forget(opening));
        }
      });
      return opening;
    }

    private void forget(Future<RedisConnection> gone) {
      if (connection == gone) {
        connection = null;
      }
    }

    /** Hands {@code handler} the outcome of {@code work}, or a timeout after {@code deadlineMs}, whichever first. */
    <T> void within(long deadlineMs, Future<T> work, Handler<AsyncResult<T>> handler) {
      boolean[] done = new boolean[1];
      long timer = vertx.setTimer(deadlineMs, id -> {
        if (!done[0]) {
          done[0] = true;
          handler.handle(Future.failedFuture(new TimeoutException()));
        }
      });
      work.onComplete(outcome -> {
        if (!done[0]) {
          done[0] = true;
          vertx.cancelTimer(timer);
          handler.handle(outcome);
        }
      });
    }
  }
}
