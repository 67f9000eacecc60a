package io.tokenserver.support;

import io.tokenserver.config.ServerConfig;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds a {@link ServerConfig} from the shipped defaults, fake credentials and free loopback ports. */
public final class TestConfig {

  private TestConfig() {
  }

  /** The shipped {@code conf/config.json} with test credentials, loopback host and free ports. */
  public static JsonObject values() {
    try {
      JsonObject values = new JsonObject(Files.readString(Path.of("conf/config.json")));
      return values
          .put("APP_ID", FakeCredentials.APP_ID)
          .put("APP_CERTIFICATE", FakeCredentials.APP_CERTIFICATE)
          .put("HOST", "127.0.0.1")
          .put("PORT", freePort())
          .put("MANAGEMENT_PORT", freePort())
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

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
