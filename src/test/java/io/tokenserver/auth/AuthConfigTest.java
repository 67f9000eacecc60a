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

  @Test
  void aPublicKeyOrKeySetNeedsAnAudience() throws Exception {
    Path pem = Files.writeString(dir.resolve("public.pem"), new Jwts().publicPem());
    Path jwks = Files.writeString(dir.resolve("jwks.json"), new Jwts().jwks().encode());

    assertFails(new JsonObject().put("AUTH_MODE", "jwt").put("JWT_PUBLIC_KEY_FILE", pem.toString()), "JWT_AUDIENCE");
    assertFails(new JsonObject().put("AUTH_MODE", "jwt").put("JWT_JWKS", jwks.toString()), "JWT_AUDIENCE");
    assertThat(config(new JsonObject().put("AUTH_MODE", "jwt").put("JWT_JWKS", jwks.toString())
        .put("JWT_AUDIENCE", "tokens")).auth().jwtAudience()).containsExactly("tokens");
  }

  @Test
  void aJwksUrlNeedsAnIssuerAndHttpsUnlessItIsLoopback() {
    JsonObject jwt = new JsonObject().put("AUTH_MODE", "jwt").put("JWT_AUDIENCE", "tokens");

    assertFails(jwt.copy().put("JWT_JWKS", "https://idp.example.com/jwks.json"), "JWT_ISSUER");
    assertFails(jwt.copy().put("JWT_JWKS", "http://idp.example.com/jwks.json").put("JWT_ISSUER", "i"),
        "JWT_JWKS must be an https URL");
    assertFails(jwt.copy().put("JWT_JWKS", "http://10.0.0.1/jwks.json").put("JWT_ISSUER", "i"),
        "JWT_JWKS must be an https URL");
    for (String url : new String[] {"https://idp.example.com/jwks.json", "http://127.0.0.1:9/jwks",
        "http://localhost:9/jwks", "http://[::1]:9/jwks"}) {
      assertThat(config(jwt.copy().put("JWT_JWKS", url).put("JWT_ISSUER", "i")).auth().jwksUrl()).isEqualTo(url);
    }
  }

  @Test
  void chatAppTokensAndTheJwtTokenLifetimeAreOffAndUnboundByDefault() {
    assertThat(config(new JsonObject()).auth().chatAppTokens()).isFalse();
    assertThat(config(new JsonObject()).auth().jwtMaxTokenLifetimeSeconds()).isZero();
    assertThat(config(new JsonObject().put("CHAT_APP_TOKENS", "true")).auth().chatAppTokens()).isTrue();
    assertFails(new JsonObject().put("JWT_MAX_TOKEN_LIFETIME", "-1"), "JWT_MAX_TOKEN_LIFETIME");
  }
}
