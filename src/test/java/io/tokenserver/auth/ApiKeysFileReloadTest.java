package io.tokenserver.auth;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** API_KEYS_FILE is re-read like the credential files: a key removed from it is refused without a restart. */
class ApiKeysFileReloadTest {

  private static final String KEPT = "kept-key-0123456789abcdef";
  private static final String REVOKED = "revoked-key-0123456789abcdef";
  private static final String ADDED = "added-key-0123456789abcdef";

  @TempDir
  Path dir;

  private static int status(RunningServer server, String key) {
    return server.send(server.client().get("/rtm/alice").putHeader("X-API-Key", key), null).statusCode();
  }

  /** Replaces the file in one step, as the kubelet swaps a Secret's files. */
  private void write(Path file, String content) throws Exception {
    Files.move(Files.writeString(dir.resolve("next"), content), file, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void aRemovedKeyIsRefusedWithinTheReloadIntervalAndBadContentKeepsThePreviousKeys() throws Exception {
    Path keys = Files.writeString(dir.resolve("api-keys"), KEPT + "\n" + REVOKED + "\n");
    try (RunningServer server = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("AUTH_MODE", "api-key").put("API_KEYS_FILE", keys.toString())
        .put("CREDENTIALS_RELOAD_INTERVAL_MS", 200)))) {
      assertThat(status(server, KEPT)).isEqualTo(200);
      assertThat(status(server, REVOKED)).isEqualTo(200);

      write(keys, "# " + REVOKED.length() + " chars, revoked\n" + KEPT + "\n" + ADDED + "\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> status(server, REVOKED) == 401);
      assertThat(status(server, KEPT)).isEqualTo(200);
      assertThat(status(server, ADDED)).isEqualTo(200);

      // A key too short to be one: the whole content is rejected, the keys in force stay.
      write(keys, KEPT + "\nshort\n");
      await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2))
          .until(() -> status(server, ADDED) == 200 && status(server, KEPT) == 200);
    }
  }
}
