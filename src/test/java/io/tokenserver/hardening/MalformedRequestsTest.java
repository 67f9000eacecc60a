package io.tokenserver.hardening;

import io.tokenserver.support.RawHttp;
import io.tokenserver.support.RunningServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Cases the fuzzer found: each once gave a 500, an empty 501 or a dropped connection. */
class MalformedRequestsTest {

  private static RunningServer server;

  @BeforeAll
  static void start() {
    server = RunningServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static RawHttp.Response send(String requestLine) throws Exception {
    try (RawHttp http = RawHttp.connect(server.port(), 5000)) {
      return http.send(requestLine + "\r\nHost: x\r\n\r\n").read();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/chat/app?expiry=%", "/rtm/42?expiry=%", "/rtc/stage/publisher/uid/1?expiry=%zz"})
  void anUndecodableQueryIs400Json(String path) throws Exception {
    RawHttp.Response response = send("GET " + path + " HTTP/1.1");
    assertThat(response.status()).isEqualTo(400);
    assertThat(new JsonObject(response.text()).getString("error")).isNotBlank();
  }

  @Test
  void onARouteWithoutPathParametersTheErrorNamesExpiry() throws Exception {
    assertThat(new JsonObject(send("GET /chat/app?expiry=% HTTP/1.1").text()).getString("error"))
        .isEqualTo("expiry is not validly percent-encoded");
  }

  @Test
  void aLaterHttp1MinorVersionIsServedAsHttp11() throws Exception {
    RawHttp.Response response = send("GET /ping HTTP/1.2");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.text()).isEqualTo("{\"message\":\"pong\"}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP/2.0", "HTTP/9", "HTTP/1.x", "http/1.1"})
  void anotherHttpVersionIs400Json(String version) throws Exception {
    RawHttp.Response response = send("GET /ping " + version);
    assertThat(response.status()).isEqualTo(400);
    assertThat(new JsonObject(response.text()).getString("error")).contains("HTTP version");
  }

  @Test
  void expectContinueGetsAnInterimResponseThenTheToken() throws Exception {
    try (RawHttp http = RawHttp.connect(server.port(), 5000)) {
      String body = "{\"tokenType\":\"rtm\",\"uid\":\"alice\"}";
      RawHttp.Response response = http.send("POST /getToken HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).read();
      assertThat(response.status()).isEqualTo(200);
      assertThat(new JsonObject(response.text()).getString("token")).startsWith("007");
    }
  }
}
