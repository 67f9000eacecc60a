package io.tokenserver.auth;

import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.Jwts;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** JWTs verified with a PEM public key, a JWKS file and a JWKS document served over HTTP by the test. */
@ExtendWith(VertxExtension.class)
class JwtKeySourcesTest {

  @TempDir
  static Path dir;
  private static Jwts jwts;
  private static Vertx jwksVertx;
  private static HttpServer jwksServer;
  private static final AtomicInteger jwksFetches = new AtomicInteger();
  /** What the test's JWKS endpoint serves right now. */
  private static final AtomicReference<JsonObject> served = new AtomicReference<>();
  /** The status it answers with: 200 with the served document, or an outage. */
  private static final AtomicInteger answerStatus = new AtomicInteger(200);
  /** When set, it holds its answers until the test completes this promise. */
  private static final AtomicReference<Promise<Void>> held = new AtomicReference<>();

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    jwts = new Jwts();
    jwksVertx = vertx; // the extension's, closed after the class
    served.set(jwts.jwks());
    jwksServer = jwksServer(0).await(10, TimeUnit.SECONDS);
  }

  private static Future<HttpServer> jwksServer(int port) {
    return jwksVertx.createHttpServer().requestHandler(request -> {
      jwksFetches.incrementAndGet();
      Promise<Void> hold = held.get();
      (hold == null ? Future.<Void>succeededFuture() : hold.future()).onComplete(released -> request.response()
          .setStatusCode(answerStatus.get()).putHeader("Content-Type", "application/json").end(served.get().toBuffer()));
    }).listen(port, "127.0.0.1");
  }

  private static String jwksUrl(int port) {
    return "http://127.0.0.1:" + port + "/jwks.json";
  }

  /** Waits (bounded) until the server reports ready on its management port. */
  private static void awaitReady(RunningServer server) {
    await().atMost(Duration.ofSeconds(20)).until(() -> server.management("/health/ready").statusCode() == 200);
  }

  @AfterAll
  static void stop() {
    jwts.close();
  }

  private static RunningServer server(String key, String value) {
    return RunningServer.start(ServerConfig.from(settings(key, value)));
  }

  private static JsonObject settings(String key, String value) {
    return TestConfig.values()
        .put("AUTH_MODE", "jwt").put(key, value).put("JWT_ISSUER", "issuer-1").put("JWT_AUDIENCE", "tokens");
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
  void thePublicKeyUsedAsAnHmacSecretIsRejected(Vertx vertx) throws Exception {
    // Algorithm confusion: sign HS256 with the public key's PEM text, hoping it is used as an HMAC secret.
    Path pem = Files.writeString(dir.resolve("public-confusion.pem"), jwts.publicPem());
    try (RunningServer server = server("JWT_PUBLIC_KEY_FILE", pem.toString())) {
      String forged = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
              new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(jwts.publicPem())))
          .generateToken(Jwts.claims("42"), new JWTOptions().setAlgorithm("HS256"));
      assertThat(status(server, forged)).isEqualTo(401);
    }
  }

  @Test
  void jwksServedOverHttpIsFetchedAtStartup() throws Exception {
    served.set(jwts.jwks());
    int before = jwksFetches.get();
    try (RunningServer server = server("JWT_JWKS", jwksUrl(jwksServer.actualPort()))) {
      awaitReady(server);
      assertThat(jwksFetches.get()).isGreaterThan(before);
      assertThat(status(server, jwts.rs256(Jwts.claims("42")))).isEqualTo(200);
      try (Jwts stranger = new Jwts()) {
        assertThat(status(server, stranger.rs256(Jwts.claims("42")))).as("a key not in the JWKS").isEqualTo(401);
      }
      String tampered = Jwts.withPayload(jwts.rs256(Jwts.claims("42")), Jwts.claims("43"));
      assertThat(status(server, tampered)).isEqualTo(401);
      assertThat(server.management("/metrics").bodyAsString()).containsPattern("(?m)^token_server_jwks_age_seconds ");
    }
  }

  @Test
  void anUnknownKeyIdRefetchesTheKeySetAtMostOncePerInterval() throws Exception {
    served.set(jwts.jwks());
    try (RunningServer server = server("JWT_JWKS", jwksUrl(jwksServer.actualPort()));
        Jwts rotated = Jwts.withKeyId("rotated-key");
        Jwts another = Jwts.withKeyId("another-new-key")) {
      awaitReady(server);
      // The identity provider starts signing with a new key before the next scheduled refresh.
      JsonObject both = jwts.jwks();
      both.getJsonArray("keys").add(rotated.jwks().getJsonArray("keys").getJsonObject(0));
      served.set(both);
      int before = jwksFetches.get();

      assertThat(status(server, rotated.rs256(Jwts.claims("42")))).isEqualTo(200);
      assertThat(jwksFetches.get()).as("one refetch for the unknown kid").isEqualTo(before + 1);
      assertThat(status(server, another.rs256(Jwts.claims("42")))).isEqualTo(401);
      assertThat(status(server, another.rs256(Jwts.claims("42")))).isEqualTo(401);
      assertThat(jwksFetches.get()).as("no refetch storm from unknown kids").isEqualTo(before + 1);
    } finally {
      served.set(jwts.jwks());
    }
  }

  @Test
  void aFailedFetchKeepsTheKeysInForce() {
    served.set(jwts.jwks());
    try (RunningServer server = server("JWT_JWKS", jwksUrl(jwksServer.actualPort()));
        Jwts unknown = Jwts.withKeyId("not-published")) {
      awaitReady(server);
      assertThat(status(server, jwts.rs256(Jwts.claims("42")))).isEqualTo(200);

      // The identity provider is down when a token with a key id the set lacks makes the server fetch.
      answerStatus.set(500);
      int before = jwksFetches.get();
      assertThat(status(server, unknown.rs256(Jwts.claims("42")))).isEqualTo(401);
      assertThat(jwksFetches.get()).as("the fetch was tried").isGreaterThan(before);

      // A token of the key in force, not seen before (so not replayed from the cache), still verifies.
      assertThat(status(server, jwts.rs256(Jwts.claims("42").put("jti", "new-token")))).isEqualTo(200);
      assertThat(server.management("/health/ready").statusCode()).isEqualTo(200);
    } finally {
      answerStatus.set(200);
    }
  }

  @Test
  void anUnknownKeyIdIsFetchedWithoutHoldingUpOtherRequests() throws Exception {
    served.set(jwts.jwks());
    // One event loop: a fetch that blocked it would hold up every request.
    try (RunningServer server = RunningServer.start(ServerConfig.from(
            settings("JWT_JWKS", jwksUrl(jwksServer.actualPort())).put("EVENT_LOOPS", 1)));
        Jwts rotated = Jwts.withKeyId("rotated-in-early")) {
      awaitReady(server);
      JsonObject both = jwts.jwks();
      both.getJsonArray("keys").add(rotated.jwks().getJsonArray("keys").getJsonObject(0));
      served.set(both);
      Promise<Void> hold = Promise.promise();
      held.set(hold);
      int before = jwksFetches.get();

      Future<HttpResponse<Buffer>> waiting = server.client().get("/rtm/42")
          .putHeader("Authorization", "Bearer " + rotated.rs256(Jwts.claims("42"))).send();
      await().atMost(Duration.ofSeconds(10)).until(() -> jwksFetches.get() > before);

      // The key set is on its way (held by the endpoint); a token of a known key is answered meanwhile.
      HttpResponse<Buffer> meanwhile = server.send(server.client().get("/rtm/42").timeout(5_000)
          .putHeader("Authorization", "Bearer " + jwts.rs256(Jwts.claims("42").put("jti", "meanwhile"))), null);
      assertThat(meanwhile.statusCode()).isEqualTo(200);
      assertThat(waiting.isComplete()).as("the token of the new key waits for the key set").isFalse();

      hold.complete();
      assertThat(waiting.await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    } finally {
      held.set(null);
      served.set(jwts.jwks());
    }
  }

  @Test
  void aCachedTokenIsRefusedOnceItsKeyLeavesTheKeySet() throws Exception {
    served.set(jwts.jwks());
    try (RunningServer server = server("JWT_JWKS", jwksUrl(jwksServer.actualPort()));
        Jwts successor = Jwts.withKeyId("successor-key")) {
      awaitReady(server);
      String cached = jwts.rs256(Jwts.claims("42"));
      assertThat(status(server, cached)).isEqualTo(200);
      assertThat(status(server, cached)).as("replayed from the cache").isEqualTo(200);

      // The identity provider revokes the key: the next fetch (here, for a new kid) no longer holds it.
      served.set(successor.jwks());
      assertThat(status(server, successor.rs256(Jwts.claims("42")))).isEqualTo(200);
      assertThat(status(server, cached)).as("a token of the revoked key").isEqualTo(401);
    } finally {
      served.set(jwts.jwks());
    }
  }

  @Test
  void keysOfUnknownTypeAreSkippedAndSymmetricKeysFromAUrlRefused() throws Exception {
    JsonObject mixed = jwts.jwks();
    mixed.getJsonArray("keys")
        .add(new JsonObject().put("kty", "XYZ").put("kid", "future-type").put("x", "AAAA"))
        .add(new JsonObject().put("kty", "oct").put("kid", "shared").put("alg", "HS256")
            .put("k", Base64.getUrlEncoder().withoutPadding().encodeToString(Jwts.SECRET.getBytes())));
    served.set(mixed);
    try (RunningServer server = server("JWT_JWKS", jwksUrl(jwksServer.actualPort()))) {
      awaitReady(server);
      assertThat(status(server, jwts.rs256(Jwts.claims("42")))).isEqualTo(200);
      assertThat(status(server, jwts.hs256(Jwts.claims("42")))).as("HS256 with the oct key of the URL")
          .isEqualTo(401);
    } finally {
      served.set(jwts.jwks());
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
  void anUnreachableJwksUrlKeepsThePodUnreadyAndIsRetriedUntilItAnswers() throws Exception {
    served.set(jwts.jwks());
    int port = TestConfig.freePort();
    try (RunningServer server = server("JWT_JWKS", jwksUrl(port))) {
      assertThat(server.management("/health/live").statusCode()).isEqualTo(200);
      assertThat(server.management("/health/ready").statusCode()).isEqualTo(503);
      HttpResponse<Buffer> early = server.send(server.client().get("/rtm/42")
          .putHeader("Authorization", "Bearer " + jwts.rs256(Jwts.claims("42"))), null);
      assertThat(early.statusCode()).isEqualTo(503);
      assertThat(early.getHeader("Retry-After")).isNotBlank();

      HttpServer late = jwksServer(port).await(10, TimeUnit.SECONDS);
      try {
        awaitReady(server);
        assertThat(status(server, jwts.rs256(Jwts.claims("42")))).isEqualTo(200);
      } finally {
        late.close();
      }
    }
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
