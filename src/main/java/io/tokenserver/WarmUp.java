package io.tokenserver;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokenserver.http.CallerGate;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.connection.OpenConnections;
import io.tokenserver.credentials.Projects;
import io.tokenserver.http.ApiVerticle;
import io.tokenserver.metrics.MetricsSetup;
import io.tokenserver.metrics.TokenMetrics;
import io.tokenserver.signing.SigningPool;
import io.tokenserver.token.AccessToken2Minter;
import io.tokenserver.token.AppCredentials;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Brings the request path to steady speed before the server reports ready: a new JVM runs its first
 * ~250 000 requests several times slower while the JIT compiles them. It starts a throwaway copy of the
 * same stack (router, validation, minter, meters, response writing) on a free loopback port, with its own
 * Vert.x, registry and signing pool and random credentials, drives every token route with loopback
 * requests for a bounded time, and closes it: nothing of it reaches the users' metrics or signs with the
 * real certificate.
 */
final class WarmUp {

  private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
  /** Connections, each with a round of pipelined requests: batches form across them, as under real load. */
  private static final int CONNECTIONS = 16;
  private static final int PIPELINED = 32;

  private final ServerConfig throwaway;
  private final Duration duration;
  private final PrometheusMeterRegistry registry;
  private final Vertx vertx;

  private WarmUp(ServerConfig config) {
    this.throwaway = config.forWarmUp();
    this.duration = config.warmUp();
    this.registry = MetricsSetup.createFilteredRegistry();
    // Two loops: the server on one, the load on the other, as with a real client.
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(2).setPreferNativeTransport(true);
    this.vertx = throwaway.httpMetrics()
        // A registry name of its own: Vert.x keeps its metrics backends by name, and the default is the real one's.
        ? Vertx.builder().with(options.setMetricsOptions(MetricsSetup.vertxMetricsOptions().setRegistryName("warm-up")))
            .withMetrics(new MicrometerMetricsFactory(registry)).build()
        : Vertx.builder().with(options).build();
  }

  /** Builds the throwaway Vert.x; call it on a plain thread, not on an event loop. Null when the warm-up is off. */
  static WarmUp prepare(ServerConfig config) {
    return config.warmUp().isZero() ? null : new WarmUp(config);
  }

  /**
   * Runs the throwaway server and its load for the configured time, then closes both; the future gives
   * the number of requests answered and never fails (a failed warm-up only makes the start slower).
   */
  Future<Long> run() {
    long startNanos = System.nanoTime();
    long deadline = startNanos + duration.toNanos();
    TokenMetrics metrics = new TokenMetrics(registry);
    SigningPool pool = new SigningPool(vertx, 1, Integer.MAX_VALUE);
    AppCredentials random = randomCredentials();
    AccessToken2Minter minter = new AccessToken2Minter(() -> random);
    AtomicLong answered = new AtomicLong();
    return CallerGate.create(vertx, throwaway, registry)
        .compose(gate -> {
          ApiVerticle api = new ApiVerticle(throwaway, Projects.single(throwaway.projects(), minter), pool, metrics,
              gate, OpenConnections.of(throwaway));
          return vertx.deployVerticle(api).map(ignored -> api.actualPort());
        })
        .compose(port -> drive(vertx, port, deadline))
        .onSuccess(answered::set)
        .onFailure(failure -> LOG.warn("warm-up stopped early: {}", failure.toString()))
        .eventually(() -> {
          pool.close();
          return vertx.close();
        })
        .transform(ignored -> {
          registry.close();
          LOG.info("warm-up: {} loopback requests in {} ms", answered.get(),
              (System.nanoTime() - startNanos) / 1_000_000);
          return Future.succeededFuture(answered.get());
        });
  }

  /**
   * Loopback load from a plain thread (a cold HTTP client would cost more CPU than the server it warms):
   * {@link #CONNECTIONS} connections, each sent {@link #PIPELINED} requests at once, which cycle through
   * every token route, the next round as soon as all are answered, until the deadline.
   */
  private static Future<Long> drive(Vertx vertx, int port, long deadline) {
    return vertx.executeBlocking(() -> {
      byte[] round = pipelinedRound();
      long answered = 0;
      try (Selector selector = Selector.open()) {
        for (int i = 0; i < CONNECTIONS; i++) {
          SocketChannel channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
          channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
          channel.configureBlocking(false);
          channel.register(selector, SelectionKey.OP_READ, new Connection(channel, round));
        }
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        int open = CONNECTIONS;
        while (open > 0) {
          selector.select(100);
          for (SelectionKey key : selector.selectedKeys()) {
            Connection connection = (Connection) key.attachment();
            in.clear();
            if (connection.channel.read(in) < 0) {
              throw new IOException("the warm-up server closed a connection");
            }
            in.flip();
            if (connection.roundAnswered(in)) {
              answered += PIPELINED;
              if (System.nanoTime() < deadline) {
                connection.send(round);
              } else {
                key.cancel();
                connection.channel.close();
                open--;
              }
            }
          }
          selector.selectedKeys().clear();
        }
      }
      return answered;
    });
  }

  /** One round of pipelined requests, every token route and a bad one, as bytes on the wire. */
  private static byte[] pipelinedRound() {
    StringBuilder round = new StringBuilder();
    for (int i = 0; i < PIPELINED; i++) {
      String uid = Integer.toString(100_000 + i);
      String path = switch (i % 16) {
        case 0, 1, 2, 3, 4 -> "/rtc/warm-up-" + i + "/publisher/uid/" + uid;
        case 5 -> "/rtc/warm-up/subscriber/userAccount/user-" + uid + "/?expiry=600";
        case 6, 7 -> "/rtm/user-" + uid;
        case 8 -> "/rte/warm-up/publisher/uid/" + uid;
        case 9 -> "/rte/warm-up/audience/uid/" + uid + "/user-" + uid;
        case 10 -> "/chat/app";
        case 11 -> "/chat/account/user-" + uid;
        case 12 -> "/rtc/warm-up/publisher/uid/-1";
        default -> null;
      };
      if (path != null) {
        round.append("GET ").append(path).append(" HTTP/1.1\r\nHost: localhost\r\n\r\n");
      } else {
        String body = switch (i % 16) {
          case 13 -> "{\"tokenType\":\"rtc\",\"channel\":\"warm-up\",\"role\":\"publisher\",\"uid\":" + uid + "}";
          case 14 -> "{\"tokenType\":\"rtm\",\"uid\":\"user-" + uid + "\"}";
          default -> "{\"tokenType\":\"chat\",\"uid\":\"user-" + uid + "\"}";
        };
        round.append("POST /getToken HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ")
            .append(body.length()).append("\r\n\r\n").append(body);
      }
    }
    return round.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** One loopback connection: counts the status lines of the answers to its round of requests. */
  private static final class Connection {

    private static final byte[] STATUS_LINE = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);

    final SocketChannel channel;
    private int matched;
    private int answers;

    Connection(SocketChannel channel, byte[] round) throws IOException {
      this.channel = channel;
      send(round);
    }

    void send(byte[] round) throws IOException {
      answers = 0;
      ByteBuffer out = ByteBuffer.wrap(round);
      while (out.hasRemaining()) {
        channel.write(out);
      }
    }

    /** True once every request of the round is answered (no JSON answer contains a status line). */
    boolean roundAnswered(ByteBuffer in) {
      while (in.hasRemaining()) {
        byte b = in.get();
        matched = b == STATUS_LINE[matched] ? matched + 1 : (b == STATUS_LINE[0] ? 1 : 0);
        if (matched == STATUS_LINE.length) {
          matched = 0;
          answers++;
        }
      }
      return answers == PIPELINED;
    }
  }

  private static AppCredentials randomCredentials() {
    SecureRandom random = new SecureRandom();
    byte[] id = new byte[16];
    byte[] certificate = new byte[16];
    random.nextBytes(id);
    random.nextBytes(certificate);
    return new AppCredentials(HexFormat.of().formatHex(id), HexFormat.of().formatHex(certificate));
  }
}
