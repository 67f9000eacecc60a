package io.tokenserver.support;

import io.tokenserver.config.ServerConfig;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds a {@link ServerConfig} from the shipped defaults, fake credentials and port 0 on loopback. */
public final class TestConfig {

  private TestConfig() {
  }

  /**
   * The shipped {@code conf/config.json} with test credentials, loopback host and {@code PORT=0}: the server takes
   * free ports itself and reports them ({@code TokenServer.port()}, the startup line), so no port is picked early.
   */
  public static JsonObject values() {
    try {
      JsonObject values = new JsonObject(Files.readString(Path.of("conf/config.json")));
      return values
          .put("APP_ID", FakeCredentials.APP_ID)
          .put("APP_CERTIFICATE", FakeCredentials.APP_CERTIFICATE)
          .put("HOST", "127.0.0.1")
          .put("PORT", 0)
          .put("MANAGEMENT_PORT", 0)
          .put("EVENT_LOOPS", 2)
          .put("SIGNING_POOL_SIZE", 2)
          // Tests start many servers: none pays the seconds of JIT warm-up (WarmUpTest turns it on).
          .put("WARMUP_SECONDS", 0)
          // Nor the seconds a drain keeps answering for load balancers (DrainTest and HealthTest set it).
          .put("DRAIN_DELAY_SECONDS", 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ServerConfig config() {
    return ServerConfig.from(values());
  }

  /**
   * A port free now, for what must be told a number before it listens (redis-server, prometheus, podman, haproxy):
   * another process may take it before it is bound, so prefer port 0 wherever the listener reports its port.
   */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
