package io.tokenserver.hardening;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.GatedMinter;
import io.tokenserver.support.RawHttp;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a single client may send and hold open on the public port. */
class ProtocolLimitsTest {

  private static RunningServer server;

  @BeforeAll
  static void start() {
    server = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("REQUEST_TIMEOUT_SECONDS", 1)
        .put("IDLE_TIMEOUT_SECONDS", 4)
        .put("MAX_CONNECTIONS", 40)));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static RawHttp connect() throws Exception {
    return RawHttp.connect(server.port(), 5000);
  }

  private static void assertJsonError(RawHttp.Response response, int status) {
    assertThat(response).as("a response, not a dropped connection").isNotNull();
    assertThat(response.status()).as(response.text()).isEqualTo(status);
    assertThat(response.header("content-type")).isEqualTo("application/json");
    assertThat(new JsonObject(response.text()).getString("error")).isNotBlank();
  }

  @Test
  void headersOverTheLimitGet431Json() throws Exception {
    try (RawHttp http = connect()) {
      http.send("GET /rtm/42 HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n");
      RawHttp.Response response = http.read();
      assertJsonError(response, 431);
      assertThat(response.text()).contains("8192");
    }
  }

  @Test
  void requestLineOverTheLimitGets414Json() throws Exception {
    try (RawHttp http = connect()) {
      http.send("GET /rtm/" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
      assertJsonError(http.read(), 414);
    }
  }

  @Test
  void contentLengthWithTransferEncodingIsRejectedAndTheConnectionClosed() throws Exception {
    try (RawHttp http = connect()) {
      String body = "{\"tokenType\":\"rtm\",\"uid\":\"a\"}";
      http.send("POST /getToken HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n"
          + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n");
      RawHttp.Response response = http.read();
      assertJsonError(response, 400);
      assertThat(response.text()).contains("Transfer-Encoding");
      assertThat(http.closedByServer()).isTrue();
    }
  }

  /**
   * A framing the server does not read as the client meant: its body must not become a second request (the
   * body here is one, {@code GET /ping}).
   */
  @ParameterizedTest
  @ValueSource(strings = {"gzip", "identity", "x-custom", "chunked;q=1", "gzip\r\nTransfer-Encoding: identity"})
  void aTransferEncodingWithoutChunkedIs400AndItsBodyNeverAnswered(String codings) throws Exception {
    try (RawHttp http = connect()) {
      http.send("POST /getToken HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: "
          + codings + "\r\n\r\nGET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
      assertTransferEncodingRefused(http);
    }
  }

  /** Codings around or beside {@code chunked}: only exactly one {@code chunked} is a framing this server reads. */
  @ParameterizedTest
  @ValueSource(strings = {"gzip, chunked", "chunked, gzip", "chunked, chunked", "gzip\r\nTransfer-Encoding: chunked",
      "chunked\r\nTransfer-Encoding: chunked", "identity, chunked", "chunked\r\nTransfer-Encoding: gzip"})
  void aTransferEncodingOtherThanExactlyChunkedIs400AndTheConnectionClosed(String codings) throws Exception {
    try (RawHttp http = connect()) {
      String body = "{\"tokenType\":\"rtm\",\"uid\":\"a\"}";
      http.send("POST /getToken HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: "
          + codings + "\r\n\r\n" + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n"
          + "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
      assertTransferEncodingRefused(http);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"chunked", "Chunked", "CHUNKED", " chunked "})
  void exactlyChunkedInAnyCaseIsServed(String coding) throws Exception {
    try (RawHttp http = connect()) {
      String body = "{\"tokenType\":\"rtm\",\"uid\":\"a\"}";
      http.send("POST /getToken HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: "
          + coding + "\r\n\r\n" + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n");
      RawHttp.Response response = http.read();
      assertThat(response.status()).as(response.text()).isEqualTo(200);
      assertThat(new JsonObject(response.text()).getString("token")).startsWith("007");
      http.send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(http.read().status()).as("the connection is kept alive").isEqualTo(200);
    }
  }

  /** One 400 naming Transfer-Encoding, then the connection ends: no second response. */
  private static void assertTransferEncodingRefused(RawHttp http) throws Exception {
    RawHttp.Response response = http.read();
    assertJsonError(response, 400);
    assertThat(new JsonObject(response.text()).getString("error")).contains("Transfer-Encoding");
    assertThat(response.header("connection")).isEqualTo("close");
    assertThat(http.closedByServer()).as("closed, with no second response").isTrue();
  }

  @Test
  void aClientThatNeverFinishesItsHeadersIsDisconnected() throws Exception {
    try (RawHttp http = connect()) {
      long start = System.nanoTime();
      http.send("GET /rtm/42 HTTP/1.1\r\nHost: x\r\nX-Slow: ");
      for (int i = 0; i < 20 && !http.closedByServerWithin(400); i++) {
        http.sendQuietly("a"); // a slowloris trickle keeps the idle timer (4 s) from ever firing
      }
      assertThat(http.isClosed()).as("closed by the request timeout").isTrue();
      assertThat((System.nanoTime() - start) / 1_000_000).as("while still trickling").isLessThan(8500);
    }
  }

  @Test
  void aBodyThatArrivesTooSlowlyGets408Json() throws Exception {
    try (RawHttp http = connect()) {
      http.send("POST /getToken HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":");
      assertJsonError(http.read(), 408);
      assertThat(http.closedByServer()).isTrue();
    }
  }

  @Test
  void aRequestReceivedWholeIsAnsweredHoweverLongTheServerTakes() throws Exception {
    ServerConfig config = ServerConfig.from(TestConfig.values().put("REQUEST_TIMEOUT_SECONDS", 1));
    // A stalled server, not a slow client: each RTM signing takes 2.5 s.
    try (RunningServer slow = RunningServer.start(config, new GatedMinter(Duration.ofMillis(2500)));
        RawHttp http = RawHttp.connect(slow.port(), 10_000)) {
      http.send("GET /rtm/42 HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(http.read().status()).as("not 408").isEqualTo(200);
    }
  }

  @Test
  void aKeptAliveConnectionOutlivesTheRequestTimeout() throws Exception {
    try (RawHttp http = connect()) {
      http.send("GET /rtm/42 HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(http.read().status()).isEqualTo(200);
      assertThat(http.closedByServerWithin(2000)).as("open for twice the request timeout, half the idle timeout")
          .isFalse();
      http.send("GET /rtm/42 HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(http.read().status()).isEqualTo(200);
    }
  }

  @Test
  void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    try (RawHttp http = RawHttp.connect(server.port(), 9000)) {
      http.send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(http.read().status()).isEqualTo(200);
      long start = System.nanoTime();
      assertThat(http.closedByServer()).isTrue();
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(3000L, 8000L);
    }
  }

  @Test
  void overTheConnectionLimitAnIdleConnectionIsClosedToServeANewOne() throws Exception {
    List<RawHttp> held = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        RawHttp http = connect();
        held.add(http);
        http.send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(http.read().status()).isEqualTo(200);
      }
      try (RawHttp extra = connect()) {
        extra.send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(extra.read().status()).as("served, not refused").isEqualTo(200);
      }
      int closed = 0;
      for (RawHttp http : held) {
        http.sendQuietly("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
        RawHttp.Response response = http.isClosed() ? null : readQuietly(http);
        if (response == null) {
          closed++;
        } else {
          assertThat(response.status()).isEqualTo(200);
        }
      }
      assertThat(closed).as("one idle connection made room").isEqualTo(1);
    } finally {
      held.forEach(RawHttp::close);
    }
  }

  private static RawHttp.Response readQuietly(RawHttp http) {
    try {
      return http.read();
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
