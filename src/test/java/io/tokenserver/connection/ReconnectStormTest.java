package io.tokenserver.connection;

import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every keep-alive client of one address leaves its connection and reconnects at once, as after a load
 * balancer's blip: the connection caps must not turn that into a storm of 503s (refused connections that
 * hold slots until they close, refused clients that reconnect at once and are refused again).
 */
@ExtendWith(VertxExtension.class)
class ReconnectStormTest {

  /** The default MAX_CONNECTIONS_PER_ADDRESS: the whole cap reconnects. */
  private static final int CONNECTIONS = 1000;
  private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final Duration SETTLE = Duration.ofSeconds(60);
  private static final byte[] PING = "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  @Test
  void reconnectingEveryConnectionOfTheCapAtOnceIsServed(Vertx vertx) throws Exception {
    ServerConfig config = ServerConfig.from(TestConfig.values().put("MAX_CONNECTIONS_PER_ADDRESS", CONNECTIONS));
    List<Wave> waves = new ArrayList<>();
    try (RunningServer server = RunningServer.start(config)) {
      NetClient client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
      Wave first = new Wave(client, server.port(), waves);
      first.open(CONNECTIONS);
      await().atMost(SETTLE).until(() -> first.lanesServed() == CONNECTIONS);

      // The clients close their connections and open new ones at once.
      first.close();
      Wave second = new Wave(client, server.port(), waves);
      second.open(CONNECTIONS);
      assertMostlyServed("closed, then reopened", second);

      // The clients open new connections before the server has seen the old ones close (a balancer that
      // drops its pool and reconnects; the old connections end later, at the latest by the idle timeout).
      second.stopSending();
      Wave third = new Wave(client, server.port(), waves);
      third.open(CONNECTIONS);
      assertMostlyServed("reopened while the old ones are still open", third);
    } finally {
      waves.forEach(Wave::close);
    }
  }

  /**
   * At least 99 % 200s in the second from the wave's first answer, and in the end every client is served.
   * The second starts at the first answer, not at the reconnect: on a busy 2-core machine opening 1 000
   * connections can alone take more than a second.
   */
  private static void assertMostlyServed(String how, Wave wave) {
    await().atMost(SETTLE).until(wave::windowOver);
    Map<String, Long> counts = wave.windowCounts();
    long ok = counts.getOrDefault("200", 0L);
    long all = counts.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf("reconnect storm (%s), %d connections, first second: %s%n", how, CONNECTIONS, counts);
    assertThat((double) ok / all).as("%s: share of 200s in %s", how, counts).isGreaterThanOrEqualTo(0.99);
    assertThat(all).as("%s: enough answers to judge: %s", how, counts).isGreaterThanOrEqualTo(CONNECTIONS);
    await().atMost(SETTLE).until(() -> wave.lanesServed() == CONNECTIONS);
  }

  /**
   * Connections that each send {@code GET /ping} in a loop; a connection that is refused, or closed by the
   * server, is replaced at once. Counts what happens in the second from its first outcome: each status, and
   * connections that ended with a request unanswered.
   */
  private static final class Wave {

    private final NetClient client;
    private final int port;
    private final List<NetSocket> sockets = new ArrayList<>();
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final LongAdder lanesServed = new LongAdder();
    private final AtomicLong windowEnd = new AtomicLong();
    private volatile boolean sending = true;

    Wave(NetClient client, int port, List<Wave> waves) {
      this.client = client;
      this.port = port;
      waves.add(this);
    }

    void open(int lanes) {
      for (int i = 0; i < lanes; i++) {
        connect(new AtomicBoolean());
      }
    }

    long lanesServed() {
      return lanesServed.sum();
    }

    boolean windowOver() {
      long end = windowEnd.get();
      return end != 0 && System.nanoTime() - end > 0;
    }

    Map<String, Long> windowCounts() {
      Map<String, Long> counts = new TreeMap<>();
      outcomes.forEach((outcome, count) -> counts.put(outcome, count.sum()));
      return counts;
    }

    /** Stops sending and reconnecting; the connections stay open. */
    void stopSending() {
      sending = false;
    }

    void close() {
      stopSending();
      synchronized (sockets) {
        sockets.forEach(NetSocket::close);
      }
    }

    /** One client: {@code served} turns true at its first 200. */
    private void connect(AtomicBoolean served) {
      client.connect(port, "127.0.0.1").onComplete(connected -> {
        if (connected.failed()) {
          count("connect failed");
          if (sending) {
            connect(served);
          }
          return;
        }
        NetSocket socket = connected.result();
        synchronized (sockets) {
          sockets.add(socket);
        }
        Responses responses = new Responses();
        socket.handler(bytes -> responses.feed(bytes, status -> {
          if (responses.replaced) {
            return;
          }
          count(String.valueOf(status));
          if (status == 200 && served.compareAndSet(false, true)) {
            lanesServed.increment();
          }
          if (!sending) {
            return;
          }
          if (status == 200) {
            responses.outstanding = true;
            socket.write(Buffer.buffer(PING));
          } else {
            // Refused: reconnect at once, as impatient clients do, without waiting for the server's close.
            responses.replaced = true;
            socket.close();
            connect(served);
          }
        }));
        socket.closeHandler(closed -> {
          if (sending && !responses.replaced) {
            if (responses.outstanding) {
              count("closed unanswered");
            }
            connect(served);
          }
        });
        if (sending) {
          responses.outstanding = true;
          socket.write(Buffer.buffer(PING));
        } else {
          socket.close();
        }
      });
    }

    /** Counts {@code outcome} if it falls in the window, which its first outcome opens. */
    private void count(String outcome) {
      long now = System.nanoTime();
      windowEnd.compareAndSet(0, now + WINDOW_NANOS);
      if (now - windowEnd.get() < 0) {
        outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
      }
    }
  }

  /** Splits a connection's bytes into responses (framed by Content-Length) and reports each status. */
  private static final class Responses {

    private Buffer pending = Buffer.buffer();
    /** A request is sent and its response not yet read. */
    boolean outstanding;
    /** This connection was refused and another opened in its place. */
    boolean replaced;

    void feed(Buffer bytes, IntConsumer status) {
      pending.appendBuffer(bytes);
      while (true) {
        String text = pending.toString(StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd < 0) {
          return;
        }
        int end = headEnd + 4 + contentLength(text.substring(0, headEnd));
        if (pending.length() < end) {
          return;
        }
        pending = pending.getBuffer(end, pending.length());
        outstanding = false;
        status.accept(Integer.parseInt(text.substring(9, 12)));
      }
    }

    private static int contentLength(String head) {
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          return Integer.parseInt(line.substring(15).trim());
        }
      }
      throw new IllegalStateException("a response without Content-Length: " + head);
    }
  }
}
