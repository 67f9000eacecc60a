package io.tokenserver;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The warm-up's client: framing, what ends a connection, how often it connects anew, and its pauses. */
class LoopbackLoadTest {

  private static final byte[] GET = "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.UTF_8);

  private Vertx vertx;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aResponseIsCompleteWithItsWholeBody() {
    byte[] response = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        .getBytes(StandardCharsets.ISO_8859_1);
    assertThat(LoopbackLoad.responseLength(response, response.length)).isEqualTo(response.length);
    assertThat(LoopbackLoad.responseLength(response, response.length - 1)).as("body short by a byte").isZero();
    assertThat(LoopbackLoad.responseLength(response, 20)).as("headers not all there").isZero();
    byte[] chunked = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
        .getBytes(StandardCharsets.ISO_8859_1);
    assertThat(LoopbackLoad.responseLength(chunked, chunked.length)).as("no length: not ours").isEqualTo(-1);
  }

  @Test
  void twoAndFourHundredsAreAnswersAndFiveHundredsAreNot() {
    assertThat(LoopbackLoad.answered(bytes("HTTP/1.1 200 OK\r\n"))).isTrue();
    assertThat(LoopbackLoad.answered(bytes("HTTP/1.1 403 Forbidden\r\n"))).isTrue();
    assertThat(LoopbackLoad.answered(bytes("HTTP/1.1 503 Service Unavailable\r\n"))).isFalse();
    assertThat(LoopbackLoad.answered(bytes("HTTP/1.0 200 OK\r\n"))).isFalse();
  }

  @Test
  void everyConnectionSendsUntilTheDeadlineAndConnectsAnewAfterItsShare() throws Exception {
    int port = serve(200);
    LoopbackLoad.Result result = load(port, 5000).run(4, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500));

    assertThat(result.connectionsLost()).isZero();
    assertThat(result.answered()).isGreaterThan(4L * LoopbackLoad.REQUESTS_PER_CONNECTION);
    assertThat(connections.get()).as("a connection for every %d answers", LoopbackLoad.REQUESTS_PER_CONNECTION)
        .isGreaterThanOrEqualTo((int) (result.answered() / LoopbackLoad.REQUESTS_PER_CONNECTION));
    // Every answer counted once: the requests the server got are those answered, and one more on some of the
    // connections that were reset, whose answer went nowhere.
    assertThat(requests.get() - result.answered()).isBetween(0L, (long) result.connectionsReset());
    assertThat(result.connectionsReset()).as("one connection in %d reset with a request in flight",
            LoopbackLoad.RESET_EVERY)
        .isBetween(connections.get() / LoopbackLoad.RESET_EVERY - 4, connections.get() / LoopbackLoad.RESET_EVERY);
  }

  @Test
  void aServerErrorEndsTheConnectionThatGotIt() throws Exception {
    int port = serve(503);
    LoopbackLoad.Result result = load(port, 5000).run(3, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));

    assertThat(result.answered()).isZero();
    assertThat(result.connectionsLost()).isEqualTo(3);
    assertThat(requests.get()).as("never retried").isEqualTo(3);
  }

  @Test
  void aRequestWithoutAnAnswerEndsItsConnectionAfterTheTimeout() throws Exception {
    HttpServer silent = vertx.createHttpServer().requestHandler(request -> requests.incrementAndGet());
    int port = silent.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
        .actualPort();
    long start = System.nanoTime();
    LoopbackLoad.Result result = load(port, 300).run(2, start + TimeUnit.SECONDS.toNanos(30));

    assertThat(result).isEqualTo(new LoopbackLoad.Result(0, 2, 0));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("bounded by the timeout, not the deadline")
        .isLessThan(5000);
  }

  private int serve(int status) throws Exception {
    HttpServer server = vertx.createHttpServer()
        .connectionHandler(connection -> connections.incrementAndGet())
        .requestHandler(request -> {
          requests.incrementAndGet();
          request.response().setStatusCode(status).end("{}");
        });
    return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
        .actualPort();
  }

  @Test
  void pacedLoadComesInBurstsWithTheServerIdleBetween() throws Exception {
    Queue<Long> arrivals = new ConcurrentLinkedQueue<>();
    HttpServer server = vertx.createHttpServer().requestHandler(request -> {
      arrivals.add(System.nanoTime());
      request.response().end("{}");
    });
    int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
        .actualPort();
    LoopbackLoad paced = new LoopbackLoad(new InetSocketAddress("127.0.0.1", port), List.of(GET),
        TimeUnit.SECONDS.toNanos(5), new LoopbackLoad.Pacing(TimeUnit.MILLISECONDS.toNanos(30), 150));
    LoopbackLoad.Result result = paced.run(2, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));

    assertThat(result.connectionsLost()).isZero();
    List<Long> times = List.copyOf(arrivals);
    long pauses = 0;
    for (int i = 1; i < times.size(); i++) {
      if (times.get(i) - times.get(i - 1) >= TimeUnit.MILLISECONDS.toNanos(120)) {
        pauses++;
      }
    }
    // 30 ms of requests, then 150 ms with none: about five pauses in the second, each a silence at the server.
    assertThat(pauses).as("silences of 120 ms or more between %d requests", times.size()).isBetween(3L, 8L);
  }

  private static LoopbackLoad load(int port, long timeoutMillis) {
    return new LoopbackLoad(new InetSocketAddress("127.0.0.1", port), List.of(GET),
        TimeUnit.MILLISECONDS.toNanos(timeoutMillis), LoopbackLoad.Pacing.STEADY);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }
}
