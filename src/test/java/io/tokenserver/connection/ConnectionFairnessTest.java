package io.tokenserver.connection;

import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.GatedMinter;
import io.tokenserver.support.PrometheusText;
import io.tokenserver.support.RawHttp;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One client address cannot hold every connection slot (MAX_CONNECTIONS_PER_ADDRESS), /ping included; a full
 * cap closes an idle keep-alive connection before it refuses a new one, and a refused one holds no slot.
 */
@ExtendWith(VertxExtension.class)
class ConnectionFairnessTest {

  private static RawHttp.Response ping(RawHttp http) throws IOException {
    http.send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
    return http.read();
  }

  /** Sends a request that {@link GatedMinter} holds: the connection has a request in flight until released. */
  private static void hold(RawHttp http) throws Exception {
    http.send("GET /rtm/42 HTTP/1.1\r\nHost: x\r\n\r\n");
  }

  /** Waits until {@code count} held requests have reached the server's signing pool. */
  private static void awaitInFlight(RunningServer server, int count) {
    await().atMost(Duration.ofSeconds(10)).until(() -> Double.valueOf(count).equals(
        new PrometheusText(server.management("/metrics").bodyAsString()).value("token_server_signing_pending")));
  }

  /** Waits until the server counts {@code count} open connections on the public port (refused ones too). */
  private static void awaitConnections(RunningServer server, int count) {
    await().atMost(Duration.ofSeconds(10)).until(() -> Double.valueOf(count).equals(
        new PrometheusText(server.management("/metrics").bodyAsString())
            .value("token_server_connections_open")));
  }

  /** True when the server has closed {@code http}: a request on it gets no answer. */
  private static boolean closedByServer(RawHttp http) {
    try {
      return ping(http) == null;
    } catch (IOException e) {
      return true;
    }
  }

  private static ServerConfig config(int maxConnections, int maxPerAddress) {
    return ServerConfig.from(TestConfig.values().put("MAX_CONNECTIONS", maxConnections)
        .put("MAX_CONNECTIONS_PER_ADDRESS", maxPerAddress)
        // One event loop: idle connections are closed to make room among those of the same loop.
        .put("EVENT_LOOPS", 1));
  }

  @Test
  void anAddressWhoseConnectionsAreAllBusyGets503WhileAnotherAddressIsServed() throws Exception {
    GatedMinter minter = new GatedMinter();
    List<RawHttp> held = new ArrayList<>();
    try (RunningServer server = RunningServer.start(config(100, 3), minter)) {
      int port = server.port();
      for (int i = 0; i < 3; i++) {
        RawHttp http = RawHttp.connectFrom("127.0.0.1", port, 10_000);
        held.add(http);
        assertThat(ping(http).status()).isEqualTo(200);
        hold(http);
      }
      awaitInFlight(server, 3);
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
      minter.release.countDown();
      for (RawHttp http : held) {
        assertThat(http.read().status()).as("a request in flight is never cut for a newcomer").isEqualTo(200);
      }
    } finally {
      minter.release.countDown();
      held.forEach(RawHttp::close);
    }
  }

  @Test
  void overTheTotalCapWithEveryConnectionBusyANewOneGets503() throws Exception {
    GatedMinter minter = new GatedMinter();
    List<RawHttp> held = new ArrayList<>();
    try (RunningServer server = RunningServer.start(config(3, 100), minter)) {
      for (int i = 1; i <= 3; i++) {
        RawHttp http = RawHttp.connectFrom("127.0.0." + i, server.port(), 10_000);
        held.add(http);
        assertThat(ping(http).status()).isEqualTo(200);
        hold(http);
      }
      awaitInFlight(server, 3);
      try (RawHttp extra = RawHttp.connectFrom("127.0.0.4", server.port(), 5000)) {
        RawHttp.Response response = ping(extra);
        assertThat(response.status()).isEqualTo(503);
        assertThat(response.header("content-type")).isEqualTo("application/json");
        assertThat(response.header("retry-after")).isEqualTo("1");
        assertThat(extra.closedByServer()).isTrue();
      }
      minter.release.countDown();
      for (RawHttp http : held) {
        assertThat(http.read().status()).isEqualTo(200);
      }
    } finally {
      minter.release.countDown();
      held.forEach(RawHttp::close);
    }
  }

  @Test
  void theLongestIdleConnectionOfAnAddressMakesRoomForANewOne() throws Exception {
    List<RawHttp> held = new ArrayList<>();
    try (RunningServer server = RunningServer.start(config(100, 3))) {
      int port = server.port();
      for (int i = 0; i < 3; i++) {
        RawHttp http = RawHttp.connectFrom("127.0.0.1", port, 5000);
        held.add(http);
        assertThat(ping(http).status()).isEqualTo(200);
      }
      RawHttp fourth = RawHttp.connectFrom("127.0.0.1", port, 5000);
      held.add(fourth);
      assertThat(ping(fourth).status()).as("served, not refused").isEqualTo(200);
      assertThat(closedByServer(held.get(0))).as("the longest idle was closed").isTrue();
      assertThat(ping(held.get(1)).status()).isEqualTo(200);
      assertThat(ping(held.get(2)).status()).isEqualTo(200);

      // The closed connection's slot was freed once: the cap is still full, so the next newcomer again
      // closes the longest idle (now the fourth) rather than finding a slot free.
      RawHttp fifth = RawHttp.connectFrom("127.0.0.1", port, 5000);
      held.add(fifth);
      assertThat(ping(fifth).status()).isEqualTo(200);
      assertThat(closedByServer(fourth)).isTrue();
      assertThat(ping(held.get(1)).status()).isEqualTo(200);
      assertThat(ping(held.get(2)).status()).isEqualTo(200);
    } finally {
      held.forEach(RawHttp::close);
    }
  }

  @Test
  void overTheTotalCapTheLongestIdleConnectionOfAnyAddressMakesRoom() throws Exception {
    List<RawHttp> held = new ArrayList<>();
    try (RunningServer server = RunningServer.start(config(3, 100))) {
      for (int i = 1; i <= 3; i++) {
        RawHttp http = RawHttp.connectFrom("127.0.0." + i, server.port(), 5000);
        held.add(http);
        assertThat(ping(http).status()).isEqualTo(200);
      }
      try (RawHttp newcomer = RawHttp.connectFrom("127.0.0.4", server.port(), 5000)) {
        assertThat(ping(newcomer).status()).isEqualTo(200);
      }
      assertThat(closedByServer(held.get(0))).isTrue();
      assertThat(ping(held.get(1)).status()).isEqualTo(200);
      assertThat(ping(held.get(2)).status()).isEqualTo(200);
    } finally {
      held.forEach(RawHttp::close);
    }
  }

  @Test
  void aConnectionRefusedAtConnectHoldsNoSlotAndIsLookedAtAgainAtItsFirstRequest() throws Exception {
    GatedMinter minter = new GatedMinter();
    List<RawHttp> held = new ArrayList<>();
    try (RunningServer server = RunningServer.start(config(100, 2), minter)) {
      int port = server.port();
      for (int i = 0; i < 2; i++) {
        RawHttp http = RawHttp.connectFrom("127.0.0.1", port, 10_000);
        held.add(http);
        assertThat(ping(http).status()).isEqualTo(200);
        hold(http);
      }
      awaitInFlight(server, 2);
      // Five connections over the cap, with nothing idle to close for them: they get no slot.
      List<RawHttp> refused = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        refused.add(RawHttp.connectFrom("127.0.0.1", port, 5000));
      }
      held.addAll(refused);
      awaitConnections(server, 7);
      // One busy connection ends, freeing one slot, while the five refused ones are still open.
      held.get(0).close();
      awaitConnections(server, 6);
      assertThat(ping(refused.get(0)).status()).as("a slot freed since it connected is its").isEqualTo(200);
      minter.release.countDown();
      assertThat(held.get(1).read().status()).isEqualTo(200);
    } finally {
      minter.release.countDown();
      held.forEach(RawHttp::close);
    }
  }

  @Test
  void trustedProxiesAreNotCappedPerAddress() throws Exception {
    List<RawHttp> held = new ArrayList<>();
    try (RunningServer server = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("MAX_CONNECTIONS_PER_ADDRESS", 2).put("TRUSTED_PROXIES", "127.0.0.1")))) {
      for (int i = 0; i < 4; i++) {
        RawHttp http = RawHttp.connectFrom("127.0.0.1", server.port(), 5000);
        held.add(http);
        assertThat(ping(http).status()).isEqualTo(200);
      }
    } finally {
      held.forEach(RawHttp::close);
    }
  }

  @Test
  void aConnectionTheStrictDecoderCannotGuardIsCountedNotSilent(io.vertx.core.Vertx vertx) {
    // Not a Vert.x connection: the decoder cannot be installed, as after an incompatible upgrade.
    io.vertx.core.http.HttpConnection foreign = (io.vertx.core.http.HttpConnection) java.lang.reflect.Proxy
        .newProxyInstance(getClass().getClassLoader(), new Class<?>[] {io.vertx.core.http.HttpConnection.class},
            (proxy, method, args) -> switch (method.getName()) {
              case "hashCode" -> System.identityHashCode(proxy);
              case "equals" -> proxy == args[0];
              default -> null;
            });
    assertThat(StrictRequestDecoder.install(foreign, new io.vertx.core.http.HttpServerOptions())).isFalse();

    OpenConnections connections = new OpenConnections(10, 10, io.tokenserver.net.TrustedProxies.NONE);
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    connections.bindTo(registry);
    ConnectionGuard guard = new ConnectionGuard(vertx, io.tokenserver.support.TestConfig.config().protocolLimits(), connections,
        io.vertx.core.http.HttpHeaders.headers());
    guard.onConnection(foreign, new io.vertx.core.http.HttpServerOptions());
    guard.close();
    assertThat(registry.get("token.server.strict.decoder.missing").functionCounter().count()).isEqualTo(1.0);
  }

  @Test
  void onARealServerTheStrictDecoderIsInstalled() throws Exception {
    try (RunningServer server = RunningServer.start()) {
      try (RawHttp http = RawHttp.connect(server.port(), 5000)) {
        assertThat(ping(http).status()).isEqualTo(200);
      }
      assertThat(server.management("/metrics").bodyAsString())
          .containsPattern("(?m)^token_server_strict_decoder_missing_total 0\\.0$");
    }
  }
}
