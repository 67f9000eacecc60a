package io.tokenserver.auth;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.Jwts;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** JWTs verified with a PEM public key, a JWKS file and a JWKS document served over HTTP by the test. */
class JwtKeySourcesTest {

  @TempDir
  static Path dir;
  private static Jwts jwts;
  private static Vertx jwksVertx;
  private static HttpServer jwksServer;
  private static final AtomicInteger jwksFetches = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    jwts = new Jwts();
    jwksVertx = Vertx.vertx();
    Buffer jwks = jwts.jwks().toBuffer();
    jwksServer = jwksVertx.createHttpServer().requestHandler(request -> {
      jwksFetches.incrementAndGet();
      request.response().putHeader("Content-Type", "application/json").end(jwks);
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    jwksVertx.close();
    jwts.close();
  }

  private static RunningServer server(String key, String value) {
    return RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("AUTH_MODE", "jwt").put(key, value).put("JWT_ISSUER", "issuer-1")));
  }

  private static int status(RunningServer server, String jwt) {
    HttpResponse<Buffer> response = server.send(server.client().get("/rtm/42")
        .putHeader("Authorization", "Bearer " + jwt), null);
    return response.statusCode();
  }

  @Test
  void pemPublicKeyVerifiesRs256() throws Exception {
    Path pem = Files.writeString(dir.resolve("public.pem"), jwts.publicPem());
    try (RunningServer server = server("JWT_PUBLIC_KEY_FILE", pem.toString())) {
      assertThat(status(server, jwts.rs256(Jwts.claims("42")))).isEqualTo(200);
      assertThat(status(server, jwts.rs256(Jwts.claims("42").put("iss", "elsewhere")))).isEqualTo(401);
      assertThat(status(server, jwts.hs256(Jwts.claims("42")))).as("an HS256 token").isEqualTo(401);
      assertThat(status(server, Jwts.unsigned(Jwts.claims("42")))).as("alg none").isEqualTo(401);
    }
  }

  @Test
  void thePublicKeyUsedAsAnHmacSecretIsRejected() throws Exception {
    // Algorithm confusion: sign HS256 with the public key's PEM text, hoping it is used as an HMAC secret.
    Path pem = Files.writeString(dir.resolve("public-confusion.pem"), jwts.publicPem());
    Vertx vertx = Vertx.vertx();
    try (RunningServer server = server("JWT_PUBLIC_KEY_FILE", pem.toString())) {
      String forged = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
              new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(jwts.publicPem())))
          .generateToken(Jwts.claims("42"), new JWTOptions().setAlgorithm("HS256"));
      assertThat(status(server, forged)).isEqualTo(401);
    } finally {
      vertx.close();
    }
  }

  @Test
  void jwksServedOverHttpIsFetchedAtStartup() {
    int before = jwksFetches.get();
    try (RunningServer server = server("JWT_JWKS", "http://127.0.0.1:" + jwksServer.actualPort() + "/jwks.json")) {
      assertThat(jwksFetches.get()).isGreaterThan(before);
      assertThat(status(server, jwts.rs256(Jwts.claims("42")))).isEqualTo(200);
      try (Jwts stranger = new Jwts()) {
        assertThat(status(server, stranger.rs256(Jwts.claims("42")))).as("a key not in the JWKS").isEqualTo(401);
      }
      String tampered = Jwts.withPayload(jwts.rs256(Jwts.claims("42")), Jwts.claims("43"));
      assertThat(status(server, tampered)).isEqualTo(401);
    }
  }

  @Test
  void jwksFromAFileWorksToo() throws Exception {
    Path file = Files.writeString(dir.resolve("jwks.json"), jwts.jwks().encode());
    try (RunningServer server = server("JWT_JWKS", file.toString())) {
      assertThat(status(server, jwts.rs256(Jwts.claims("42")))).isEqualTo(200);
      assertThat(status(server, jwts.rs256(Jwts.claims("43")))).as("bound to sub").isEqualTo(403);
    }
  }

  @Test
  void anUnreachableJwksUrlFailsStartupNamingTheKey() {
    int closedPort = io.tokenserver.support.TestConfig.freePort();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> server("JWT_JWKS", "http://127.0.0.1:" + closedPort + "/"))
        .hasStackTraceContaining("JWT_JWKS cannot be fetched");
  }

  @Test
  void jwksDocumentMustHaveKeys() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.tokenserver.config.AuthConfig.jwksDocument("{\"keys\":[]}"))
        .hasMessageStartingWith("JWT_JWKS");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.tokenserver.config.AuthConfig.jwksDocument("[1]"))
        .hasMessageStartingWith("JWT_JWKS");
    assertThat(io.tokenserver.config.AuthConfig.jwksDocument(new JsonObject().put("keys",
        jwts.jwks().getJsonArray("keys")).encode()).getJsonArray("keys")).hasSize(1);
  }

  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
