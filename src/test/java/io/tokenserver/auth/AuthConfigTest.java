package io.tokenserver.auth;

import io.tokenserver.config.AuthConfig;
import io.tokenserver.config.ConfigException;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.Jwts;
import io.tokenserver.support.TestConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Authentication settings are checked at startup; each failure is one line naming the key. */
class AuthConfigTest {

  @TempDir
  Path dir;

  private static ServerConfig config(JsonObject extra) {
    return ServerConfig.from(TestConfig.values().mergeIn(extra));
  }

  private static void assertFails(JsonObject extra, String message) {
    assertThatThrownBy(() -> config(extra)).isInstanceOf(ConfigException.class).hasMessageStartingWith(message)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void theDefaultIsNoAuthentication() {
    assertThat(config(new JsonObject()).auth().mode()).isEqualTo(AuthConfig.Mode.NONE);
    assertThat(config(new JsonObject()).auth().uidClaim()).isEqualTo("sub");
  }

  @Test
  void anUnknownModeIsRejected() {
    assertFails(new JsonObject().put("AUTH_MODE", "oauth"), "AUTH_MODE must be none, api-key or jwt");
  }

  @Test
  void apiKeyModeNeedsKeys() {
    assertFails(new JsonObject().put("AUTH_MODE", "api-key"), "API_KEYS must name at least one key");
  }

  @Test
  void shortApiKeysAreRejected() {
    assertFails(new JsonObject().put("AUTH_MODE", "api-key").put("API_KEYS", "short"), "API_KEYS each key must be");
  }

  @Test
  void aMissingKeysFileIsNamed() {
    assertFails(new JsonObject().put("AUTH_MODE", "api-key").put("API_KEYS_FILE", dir.resolve("nope").toString()),
        "API_KEYS_FILE cannot be read");
  }

  @Test
  void jwtModeNeedsExactlyOneKeySource() {
    assertFails(new JsonObject().put("AUTH_MODE", "jwt"), "AUTH_MODE jwt needs exactly one of");
    assertFails(new JsonObject().put("AUTH_MODE", "jwt").put("JWT_SECRET", Jwts.SECRET).put("JWT_JWKS", "x"),
        "AUTH_MODE jwt needs exactly one of");
  }

  @Test
  void aShortHmacSecretIsRejected() {
    assertFails(new JsonObject().put("AUTH_MODE", "jwt").put("JWT_SECRET", "too-short"),
        "JWT_SECRET must be at least 32 characters");
  }

  @Test
  void aPublicKeyFileMustHoldAPemKey() throws Exception {
    Path file = Files.writeString(dir.resolve("key"), "not a key");
    assertFails(new JsonObject().put("AUTH_MODE", "jwt").put("JWT_PUBLIC_KEY_FILE", file.toString()),
        "JWT_PUBLIC_KEY_FILE must hold a PEM public key");
  }

  @Test
  void aJwksFileMustBeAJwksDocument() throws Exception {
    Path file = Files.writeString(dir.resolve("jwks"), "{\"nokeys\":1}");
    assertFails(new JsonObject().put("AUTH_MODE", "jwt").put("JWT_JWKS", file.toString()), "JWT_JWKS must be");
  }

  @Test
  void secretsNeverAppearInTheConfigDescription() {
    ServerConfig config = config(new JsonObject().put("AUTH_MODE", "jwt").put("JWT_SECRET", Jwts.SECRET));
    assertThat(config.auth().toString()).doesNotContain(Jwts.SECRET);
    ServerConfig keys = config(new JsonObject().put("AUTH_MODE", "api-key").put("API_KEYS", "key-0123456789abcdef"));
    assertThat(keys.auth().toString()).doesNotContain("key-0123456789abcdef");
    assertThat(keys.toString()).doesNotContain("key-0123456789abcdef");
  }
}
