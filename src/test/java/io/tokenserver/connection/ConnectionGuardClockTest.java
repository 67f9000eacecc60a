package io.tokenserver.connection;

import io.tokenserver.config.ProtocolLimits;
import io.tokenserver.net.TrustedProxies;
import io.tokenserver.support.FakeClock;
import io.tokenserver.support.RawHttp;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard's deadlines on a fake clock: a connection goes exactly when its time is over, not a millisecond
 * before. The limits are ten minutes, which the real clock never reaches during the test: only the fake clock
 * can close a connection here. Between two moves of the clock the test gives the guard's sweep (every
 * {@value ConnectionGuard#SWEEP_MILLIS} ms) time to run, and expects the connection still open.
 */
@ExtendWith(VertxExtension.class)
class ConnectionGuardClockTest {

  private static final int REQUEST_TIMEOUT_SECONDS = 600;
  private static final int IDLE_TIMEOUT_SECONDS = 600;
  /** Several sweeps: long enough for the guard to act on a deadline that is over. */
  private static final int SWEEPS_MILLIS = (int) (3 * ConnectionGuard.SWEEP_MILLIS);

  private final FakeClock clock = FakeClock.atNow();
  private volatile int port;
  /** Released each time the guard has taken a connection: the clock only moves after it has its deadline. */
  private final Semaphore guarded = new Semaphore(0);

  /** A server on port 0 whose connections the guard watches, on the guard's own event loop (as ApiVerticle). */
  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) {
    ProtocolLimits limits = new ProtocolLimits(8192, 4096, IDLE_TIMEOUT_SECONDS, REQUEST_TIMEOUT_SECONDS, 100, 100);
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        ConnectionGuard guard = new ConnectionGuard(vertx, limits, new OpenConnections(100, 100, TrustedProxies.NONE),
            HttpHeaders.headers(), clock);
        // As the API port: no h2c sniffing, so the guard sees each connection from its first byte.
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0)
            .setHttp2ClearTextEnabled(false);
        return vertx.createHttpServer(options)
            .connectionHandler(connection -> {
              guard.onConnection(connection, options);
              guarded.release();
            })
            .requestHandler(request -> {
              if (guard.admit(request)) {
                request.response().end("ok");
              }
            })
            .listen()
            .onSuccess(server -> port = server.actualPort());
      }
    }).onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void aRequestStillArrivingLosesItsConnectionExactlyAtTheRequestTimeout() throws Exception {
    try (RawHttp http = RawHttp.connect(port, 10_000)) {
      http.send("GET /slow HTTP/1.1\r\nHost: x\r\n"); // the headers never end
      assertThat(guarded.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
      clock.advance(Duration.ofSeconds(REQUEST_TIMEOUT_SECONDS));
      assertThat(http.closedByServerWithin(SWEEPS_MILLIS)).as("at the deadline").isFalse();
      clock.advance(Duration.ofMillis(1));
      assertThat(http.closedByServerWithin(10_000)).as("a millisecond after it").isTrue();
    }
  }

  @Test
  void anAnsweredConnectionMayIdleForTheIdleTimeoutPlusTheRequestTimeout() throws Exception {
    try (RawHttp http = RawHttp.connect(port, 10_000)) {
      assertThat(http.send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
      assertThat(guarded.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
      // A sweep sees the answer written and starts the idle time from the clock's reading then.
      assertThat(http.closedByServerWithin(SWEEPS_MILLIS)).isFalse();
      clock.advance(Duration.ofSeconds(IDLE_TIMEOUT_SECONDS + REQUEST_TIMEOUT_SECONDS));
      assertThat(http.closedByServerWithin(SWEEPS_MILLIS)).as("at the deadline").isFalse();
      clock.advance(Duration.ofMillis(1));
      assertThat(http.closedByServerWithin(10_000)).as("a millisecond after it").isTrue();
    }
  }
}
