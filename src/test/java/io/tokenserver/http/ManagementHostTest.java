package io.tokenserver.http;

import io.tokenserver.TokenServer;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.TestConfig;
import io.tokenserver.token.AccessToken2Minter;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code MANAGEMENT_HOST} binds the management port to an address of its own; the API port stays on {@code HOST}. */
class ManagementHostTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static int status(String host, int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static void connect(String host, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2000);
    }
  }

  @Test
  void theManagementPortListensOnManagementHostOnlyAndTheApiOnHostOnly() throws Exception {
    // 127.0.0.2 is another loopback address: on Linux the whole of 127/8 reaches this machine.
    JsonObject values = TestConfig.values().put("HOST", "127.0.0.1").put("MANAGEMENT_HOST", "127.0.0.2");
    TokenServer server = TokenServer.start(ServerConfig.from(values),
        new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS)).await(20, TimeUnit.SECONDS);
    int port = server.port();
    int managementPort = server.managementPort();
    try {
      assertThat(status("127.0.0.2", managementPort, "/health/ready")).isEqualTo(200);
      assertThat(status("127.0.0.2", managementPort, "/metrics")).isEqualTo(200);
      assertThatThrownBy(() -> connect("127.0.0.1", managementPort)).as("not on HOST")
          .isInstanceOf(ConnectException.class);

      assertThat(status("127.0.0.1", port, "/ping")).isEqualTo(200);
      assertThatThrownBy(() -> connect("127.0.0.2", port)).as("the API port stays on HOST")
          .isInstanceOf(ConnectException.class);
    } finally {
      server.shutdown().get(30, TimeUnit.SECONDS);
    }
  }
}
