package io.tokenserver.hardening;

import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.RawHttp;
import io.tokenserver.support.ServerProcess;
import io.tokenserver.support.TestConfig;
import io.tokenserver.support.VerifiedToken;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM under steady load, against Main in its own JVM: readiness turns 503 while requests still drain,
 * every request the server accepted is answered with a valid token, new connections are refused, and the
 * process exits 0.
 */
class DrainTest {

  private static final String BODY = "{\"tokenType\":\"rtm\",\"uid\":\"slow\"}";

  @Test
  void sigtermDrainsInFlightRequestsAndExitsZero() throws Exception {
    int port = TestConfig.freePort();
    int managementPort = TestConfig.freePort();
    try (ServerProcess server = ServerProcess.start(Map.of(
        "APP_ID", FakeCredentials.APP_ID, "APP_CERTIFICATE", FakeCredentials.APP_CERTIFICATE,
        "HOST", "127.0.0.1", "PORT", Integer.toString(port), "MANAGEMENT_PORT", Integer.toString(managementPort),
        "EVENT_LOOPS", "2", "SIGNING_POOL_SIZE", "2", "DRAIN_TIMEOUT_SECONDS", "15"), Map.of())) {
      server.awaitLine("ready in", 30_000);

      AtomicBoolean loadRunning = new AtomicBoolean(true);
      AtomicLong sigtermAt = new AtomicLong(Long.MAX_VALUE);
      AtomicInteger served = new AtomicInteger();
      AtomicInteger servedAfterSigterm = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      AtomicInteger closedBeforeReading = new AtomicInteger();
      List<String> failures = new CopyOnWriteArrayList<>();
      List<Thread> load = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Thread client = new Thread(() -> steadyLoad(port, loadRunning, sigtermAt, served, servedAfterSigterm, refused,
            closedBeforeReading, failures), "load-" + i);
        client.start();
        load.add(client);
      }
      long loadDeadline = System.currentTimeMillis() + 20_000;
      while (served.get() < 100 && System.currentTimeMillis() < loadDeadline) {
        Thread.sleep(50);
      }
      assertThat(served.get()).as("load before SIGTERM").isGreaterThanOrEqualTo(100);

      // Requests in flight at SIGTERM: headers and half the body sent, the rest only after readiness is 503.
      List<RawHttp> inFlight = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        RawHttp http = RawHttp.connect(port, 20_000);
        http.send("POST /getToken HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + BODY.length() + "\r\n\r\n" + BODY.substring(0, 10));
        inFlight.add(http);
      }
      Thread.sleep(200);
      sigtermAt.set(System.nanoTime());
      server.terminate();

      server.awaitLine("shutdown signal", 10_000);
      long readyDownAt = awaitReadinessDown(managementPort);
      assertThat(readyDownAt).as("readiness turned 503 while requests were in flight").isPositive();
      awaitRefused(port);

      for (RawHttp http : inFlight) {
        RawHttp.Response response = http.send(BODY.substring(10)).read();
        assertThat(response).as("an in-flight request is answered").isNotNull();
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        VerifiedToken.verify(new JsonObject(response.text()).getString("token")).rtm();
        http.close();
      }

      assertThat(server.awaitExit(30_000)).as("exit code").isZero();
      loadRunning.set(false);
      for (Thread client : load) {
        client.join(10_000);
      }
      System.out.printf("drain: %d served (%d after SIGTERM), %d refused after SIGTERM, %d closed unread, %s%n",
          served.get(), servedAfterSigterm.get(), refused.get(), closedBeforeReading.get(), failures);
      assertThat(failures).isEmpty();
      server.awaitLine("drained, exiting", 5000);
    }
  }

  /**
   * Keep-alive clients asking for tokens: every response must be 200 with a valid token. After SIGTERM a
   * refused connection, or a kept-alive connection the server closed before reading the next request, is a
   * request the server never accepted; before SIGTERM either is a failure.
   */
  private static void steadyLoad(int port, AtomicBoolean running, AtomicLong sigtermAt, AtomicInteger served,
      AtomicInteger servedAfterSigterm, AtomicInteger refused, AtomicInteger closedBeforeReading,
      List<String> failures) {
    RawHttp http = null;
    while (running.get()) {
      long sentAt = System.nanoTime();
      try {
        if (http == null) {
          http = RawHttp.connect(port, 20_000);
        }
        RawHttp.Response response = http.send("GET /rtc/stage/publisher/uid/42 HTTP/1.1\r\nHost: x\r\n\r\n").read();
        if (response == null) {
          if (sentAt < sigtermAt.get()) {
            failures.add("connection closed without a response before SIGTERM");
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
          if (sentAt > sigtermAt.get()) {
            servedAfterSigterm.incrementAndGet();
          }
        }
        if ("close".equalsIgnoreCase(response.header("connection"))) {
          http.close();
          http = null;
        }
      } catch (ConnectException e) {
        if (sentAt < sigtermAt.get()) {
          failures.add("refused before SIGTERM");
        }
        refused.incrementAndGet();
        http = null;
        sleep(20);
      } catch (IOException e) {
        if (sentAt < sigtermAt.get()) {
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

  private static long awaitReadinessDown(int managementPort) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      try (RawHttp http = RawHttp.connect(managementPort, 2000)) {
        RawHttp.Response response = http.send("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n").read();
        if (response != null && response.status() == 503) {
          assertThat(response.text()).contains("DOWN");
          return System.nanoTime();
        }
      } catch (IOException e) {
        return -1; // the management port is gone: readiness was never seen as 503
      }
      Thread.sleep(5);
    }
    return -1;
  }

  private static void awaitRefused(int port) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      try (RawHttp ignored = RawHttp.connect(port, 1000)) {
        Thread.sleep(10);
      } catch (IOException refused) {
        return;
      }
    }
    throw new AssertionError("the API port still accepts connections during the drain");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
