package io.tokenserver.hardening;

import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.RawHttp;
import io.tokenserver.support.ServerProcess;
import io.tokenserver.support.VerifiedToken;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM under steady keep-alive load, against Main in its own JVM. Readiness turns 503 at once; for the drain
 * delay the API port still accepts and answers every request, each answer with {@code Connection: close} and the
 * connection closed after it; then the port closes, idle connections are closed, requests in flight are answered
 * with a valid token, and the process exits 0.
 */
class DrainTest {

  private static final String BODY = "{\"tokenType\":\"rtm\",\"uid\":\"slow\"}";
  private static final int DRAIN_DELAY_SECONDS = 3;
  /** Requests sent this long before the delay can have ended (counted from SIGTERM) must all be answered. */
  private static final long SERVED_UNTIL_NANOS = TimeUnit.MILLISECONDS.toNanos(DRAIN_DELAY_SECONDS * 1000L - 500);

  @Test
  void sigtermKeepsAnsweringWithConnectionCloseForTheDelayThenDrainsInFlightRequestsAndExitsZero() throws Exception {
    try (ServerProcess server = ServerProcess.start(Map.of(
        "APP_ID", FakeCredentials.APP_ID, "APP_CERTIFICATE", FakeCredentials.APP_CERTIFICATE,
        "HOST", "127.0.0.1", "PORT", "0", "MANAGEMENT_PORT", "0",
        "EVENT_LOOPS", "2", "SIGNING_POOL_SIZE", "2", "DRAIN_TIMEOUT_SECONDS", "15",
        "DRAIN_DELAY_SECONDS", Integer.toString(DRAIN_DELAY_SECONDS)), Map.of())) {
      ServerProcess.Ports ports = server.awaitReady(30_000);
      int port = ports.port();
      int managementPort = ports.managementPort();

      AtomicBoolean loadRunning = new AtomicBoolean(true);
      AtomicLong sigtermAt = new AtomicLong(Long.MAX_VALUE);
      AtomicLong readyDownAt = new AtomicLong(Long.MAX_VALUE);
      AtomicInteger served = new AtomicInteger();
      AtomicInteger servedAfterReadyDown = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      AtomicInteger closedBeforeReading = new AtomicInteger();
      List<String> failures = new CopyOnWriteArrayList<>();
      List<Thread> load = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Thread client = new Thread(() -> steadyLoad(port, loadRunning, sigtermAt, readyDownAt, served,
            servedAfterReadyDown, refused, closedBeforeReading, failures), "load-" + i);
        client.start();
        load.add(client);
      }
      await("load before SIGTERM").atMost(Duration.ofSeconds(20)).until(() -> served.get() >= 100);

      // A kept-alive connection that says nothing after its first answer: the drain must close it.
      RawHttp idle = RawHttp.connect(port, 20_000);
      RawHttp.Response first = idle.send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n").read();
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.header("connection")).as("kept alive before the drain").isNull();
      // Requests in flight when the port closes: headers and half the body sent now, the rest only then
      // (the server reads the headers before the port closes, at the latest during the delay).
      List<RawHttp> inFlight = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        RawHttp http = RawHttp.connect(port, 20_000);
        http.send("POST /getToken HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + BODY.length() + "\r\n\r\n" + BODY.substring(0, 10));
        inFlight.add(http);
      }
      sigtermAt.set(System.nanoTime());
      server.terminate();

      server.awaitLine("shutdown signal", 10_000);
      readyDownAt.set(awaitReadinessDown(managementPort));
      assertThat(readyDownAt.get()).as("readiness turned 503 while the port still answered").isPositive();

      // A client that connects during the delay is answered, and told to go.
      try (RawHttp late = RawHttp.connect(port, 20_000)) {
        RawHttp.Response response = late.send("GET /rtm/late HTTP/1.1\r\nHost: x\r\n\r\n").read();
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        VerifiedToken.verify(new JsonObject(response.text()).getString("rtmToken")).rtm();
        assertThat(response.header("connection")).isEqualToIgnoringCase("close");
        assertThat(late.closedByServerWithin(10_000)).as("the server closes the connection after that answer").isTrue();
      }

      long refusedAt = awaitRefused(port);
      assertThat(refusedAt - readyDownAt.get()).as("the port keeps accepting for the drain delay")
          .isGreaterThanOrEqualTo(SERVED_UNTIL_NANOS);
      assertThat(idle.closedByServerWithin(10_000)).as("an idle kept-alive connection is closed").isTrue();
      idle.close();

      for (RawHttp http : inFlight) {
        RawHttp.Response response = http.send(BODY.substring(10)).read();
        assertThat(response).as("an in-flight request is answered").isNotNull();
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        VerifiedToken.verify(new JsonObject(response.text()).getString("token")).rtm();
        assertThat(http.closedByServerWithin(10_000)).as("and its connection closed after the answer").isTrue();
        http.close();
      }

      assertThat(server.awaitExit(30_000)).as("exit code").isZero();
      loadRunning.set(false);
      for (Thread client : load) {
        client.join(10_000);
      }
      System.out.printf("drain: %d served (%d after readiness turned 503), %d refused, %d closed unread, %s%n",
          served.get(), servedAfterReadyDown.get(), refused.get(), closedBeforeReading.get(), failures);
      assertThat(failures).isEmpty();
      assertThat(servedAfterReadyDown.get()).as("answers while readiness was 503").isPositive();
      server.awaitLine("drained, exiting", 5000);
    }
  }

  /**
   * Keep-alive clients asking for tokens: every response must be 200 with a valid token, and carry
   * {@code Connection: close} once readiness has turned 503. A refused connection, or a kept-alive connection
   * the server closed before reading the next request, is a request the server never accepted: a failure
   * until shortly before the drain delay has passed, and expected after it.
   */
  private static void steadyLoad(int port, AtomicBoolean running, AtomicLong sigtermAt, AtomicLong readyDownAt,
      AtomicInteger served, AtomicInteger servedAfterReadyDown, AtomicInteger refused,
      AtomicInteger closedBeforeReading, List<String> failures) {
    RawHttp http = null;
    while (running.get()) {
      long sentAt = System.nanoTime();
      boolean mustBeServed = sentAt < sigtermAt.get() || sentAt - sigtermAt.get() < SERVED_UNTIL_NANOS;
      try {
        if (http == null) {
          http = RawHttp.connect(port, 20_000);
        }
        RawHttp.Response response = http.send("GET /rtc/stage/publisher/uid/42 HTTP/1.1\r\nHost: x\r\n\r\n").read();
        if (response == null) {
          if (mustBeServed) {
            failures.add("connection closed without a response before the drain delay ended");
          }
          closedBeforeReading.incrementAndGet();
          http.close();
          http = null;
          continue;
        }
        if (response.status() != 200) {
          failures.add(response.status() + " " + response.text());
        } else {
          VerifiedToken.verify(new JsonObject(response.text()).getString("rtcToken"));
          served.incrementAndGet();
          if (sentAt > readyDownAt.get()) {
            servedAfterReadyDown.incrementAndGet();
            if (!"close".equalsIgnoreCase(response.header("connection"))) {
              failures.add("an answer during the drain without Connection: close");
            }
          }
        }
        if ("close".equalsIgnoreCase(response.header("connection"))) {
          http.close();
          http = null;
        }
      } catch (ConnectException e) {
        if (mustBeServed) {
          failures.add("refused before the drain delay ended");
        }
        refused.incrementAndGet();
        http = null;
        sleep(20); // a client's pacing before it reconnects, as real ones back off: not a wait on a state
      } catch (IOException e) {
        if (mustBeServed) {
          failures.add(e.toString());
        }
        closedBeforeReading.incrementAndGet();
        if (http != null) {
          http.close();
        }
        http = null;
      } catch (AssertionError e) {
        failures.add("invalid token: " + e.getMessage());
      }
    }
    if (http != null) {
      http.close();
    }
  }

  /** When readiness was first seen 503 ({@link System#nanoTime()}), or -1 if the management port went first. */
  private static long awaitReadinessDown(int managementPort) {
    return await("readiness 503").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
        .until(() -> readinessDownAt(managementPort), at -> at != 0);
  }

  /** 0 while ready; the time it is seen down; -1 once the management port is gone. */
  private static long readinessDownAt(int managementPort) {
    try (RawHttp http = RawHttp.connect(managementPort, 2000)) {
      RawHttp.Response response = http.send("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n").read();
      if (response == null || response.status() != 503) {
        return 0;
      }
      JsonObject body = new JsonObject(response.text());
      assertThat(body.getString("status")).isEqualTo("DOWN");
      assertThat(body.getJsonArray("checks").encode()).contains("{\"id\":\"started\",\"status\":\"DOWN\"}");
      return System.nanoTime();
    } catch (IOException e) {
      return -1; // the management port is gone: readiness was never seen as 503
    }
  }

  private static long awaitRefused(int port) {
    return await("the API port refusing connections after the drain delay").atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(10)).until(() -> refusedAt(port), at -> at != 0);
  }

  /** 0 while the port accepts connections, else the time it refused one. */
  private static long refusedAt(int port) {
    try (RawHttp ignored = RawHttp.connect(port, 1000)) {
      return 0;
    } catch (IOException refused) {
      return System.nanoTime();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
