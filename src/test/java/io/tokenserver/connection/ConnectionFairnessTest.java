package io.tokenserver.connection;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.RawHttp;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One client address cannot hold every connection slot (MAX_CONNECTIONS_PER_ADDRESS), /ping included. */
class ConnectionFairnessTest {

  private static RawHttp.Response ping(RawHttp http) throws Exception {
    http.send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
    return http.read();
  }

  @Test
  void anAddressOverItsConnectionCapGets503WhileAnotherAddressIsServed() throws Exception {
    List<RawHttp> held = new ArrayList<>();
    try (RunningServer server = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("MAX_CONNECTIONS", 100).put("MAX_CONNECTIONS_PER_ADDRESS", 3)))) {
      int port = server.config.port();
      for (int i = 0; i < 3; i++) {
        RawHttp http = RawHttp.connectFrom("127.0.0.1", port, 5000);
        held.add(http);
        assertThat(ping(http).status()).isEqualTo(200);
      }
      try (RawHttp extra = RawHttp.connectFrom("127.0.0.1", port, 5000)) {
        RawHttp.Response response = ping(extra);
        assertThat(response.status()).as("/ping does not bypass the connection gate").isEqualTo(503);
        assertThat(new JsonObject(response.text()).getString("error")).contains("connections");
        assertThat(response.header("retry-after")).isEqualTo("1");
        assertThat(extra.closedByServer()).isTrue();
      }
      // Another client address still gets its own slots.
      try (RawHttp other = RawHttp.connectFrom("127.0.0.2", port, 5000)) {
        assertThat(ping(other).status()).isEqualTo(200);
      }
      // A slot freed by the first address is its again.
      held.remove(0).close();
      long deadline = System.nanoTime() + 5_000_000_000L;
      int status;
      do {
        try (RawHttp again = RawHttp.connectFrom("127.0.0.1", port, 5000)) {
          status = ping(again).status();
        }
      } while (status != 200 && System.nanoTime() < deadline);
      assertThat(status).isEqualTo(200);
    } finally {
      held.forEach(RawHttp::close);
    }
  }

  @Test
  void trustedProxiesAreNotCappedPerAddress() throws Exception {
    List<RawHttp> held = new ArrayList<>();
    try (RunningServer server = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("MAX_CONNECTIONS_PER_ADDRESS", 2).put("TRUSTED_PROXIES", "127.0.0.1")))) {
      for (int i = 0; i < 4; i++) {
        RawHttp http = RawHttp.connectFrom("127.0.0.1", server.config.port(), 5000);
        held.add(http);
        assertThat(ping(http).status()).isEqualTo(200);
      }
    } finally {
      held.forEach(RawHttp::close);
    }
  }

  @Test
  void aConnectionTheStrictDecoderCannotGuardIsCountedNotSilent() {
    // Not a Vert.x connection: the decoder cannot be installed, as after an incompatible upgrade.
    io.vertx.core.http.HttpConnection foreign = (io.vertx.core.http.HttpConnection) java.lang.reflect.Proxy
        .newProxyInstance(getClass().getClassLoader(), new Class<?>[] {io.vertx.core.http.HttpConnection.class},
            (proxy, method, args) -> switch (method.getName()) {
              case "hashCode" -> System.identityHashCode(proxy);
              case "equals" -> proxy == args[0];
              default -> null;
            });
    assertThat(StrictRequestDecoder.install(foreign, new io.vertx.core.http.HttpServerOptions())).isFalse();

    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      OpenConnections connections = new OpenConnections(10, 10, io.tokenserver.ratelimit.TrustedProxies.NONE);
      io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
          new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
      connections.bindTo(registry);
      ConnectionGuard guard = new ConnectionGuard(vertx, io.tokenserver.support.TestConfig.config().protocolLimits(), connections,
          io.vertx.core.http.HttpHeaders.headers());
      guard.onConnection(foreign, new io.vertx.core.http.HttpServerOptions());
      guard.close();
      assertThat(registry.get("strict.decoder.missing").functionCounter().count()).isEqualTo(1.0);
    } finally {
      vertx.close();
    }
  }

  @Test
  void onARealServerTheStrictDecoderIsInstalled() throws Exception {
    try (RunningServer server = RunningServer.start()) {
      try (RawHttp http = RawHttp.connect(server.config.port(), 5000)) {
        assertThat(ping(http).status()).isEqualTo(200);
      }
      assertThat(server.management("/metrics").bodyAsString())
          .containsPattern("(?m)^strict_decoder_missing_total 0\\.0$");
    }
  }
}
