package io.tokenserver.metrics;

import io.tokenserver.TokenServer;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.GatedMinter;
import io.tokenserver.support.Jwts;
import io.tokenserver.support.TestConfig;
import io.tokenserver.support.VerifiedToken;
import io.tokenserver.token.AccessToken2Minter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Liveness and readiness on the management port through start, serving and drain. */
class HealthTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Polls until the port answers (connection refused before it listens). */
  private static HttpResponse<String> firstAnswer(int port, String path) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    while (true) {
      try {
        return get(port, path);
      } catch (java.io.IOException refused) {
        if (System.currentTimeMillis() > deadline) {
          throw refused;
        }
        Thread.sleep(10);
      }
    }
  }

  @Test
  void readinessIs503UntilTheCallerGateIsReadyAndThePublicPortListens() throws Exception {
    // A JWKS fetched over the network at startup, held back until the test lets it answer.
    CountDownLatch jwksReleased = new CountDownLatch(1);
    Vertx jwksVertx = Vertx.vertx();
    try (Jwts jwts = new Jwts()) {
      HttpServer jwksServer = jwksVertx.createHttpServer()
          .requestHandler(request -> jwksVertx.<Void>executeBlocking(() -> {
            jwksReleased.await(20, TimeUnit.SECONDS);
            return null;
          }).onComplete(released -> request.response().end(jwts.jwks().encode())))
          .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      ServerConfig config = ServerConfig.from(TestConfig.values().put("AUTH_MODE", "jwt")
          .put("JWT_JWKS", "http://127.0.0.1:" + jwksServer.actualPort() + "/jwks.json")
          .put("JWT_AUDIENCE", "token-server").put("JWT_ISSUER", "https://issuer.example"));
      Future<TokenServer> starting = TokenServer.start(config, new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS));

      HttpResponse<String> whileStarting = firstAnswer(config.managementPort(), "/health/ready");
      assertThat(whileStarting.statusCode()).isEqualTo(503);
      assertThat(get(config.managementPort(), "/health/live").statusCode()).isEqualTo(200);
      // Started or not, the server is not ready while it cannot check a caller.
      assertThat(get(config.managementPort(), "/health/ready").statusCode()).isEqualTo(503);

      jwksReleased.countDown();
      TokenServer server = starting.await(20, TimeUnit.SECONDS);
      try {
        long deadline = System.currentTimeMillis() + 20_000;
        while (get(config.managementPort(), "/health/ready").statusCode() != 200
            && System.currentTimeMillis() < deadline) {
          Thread.sleep(50);
        }
        assertThat(get(config.managementPort(), "/health/ready").statusCode()).isEqualTo(200);
        assertThat(get(config.port(), "/ping").statusCode()).isEqualTo(200);
      } finally {
        server.shutdown().get(30, TimeUnit.SECONDS);
      }
    } finally {
      jwksVertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void drainTurnsReadinessTo503FirstKeepsLivenessAndFinishesInFlightRequests() throws Exception {
    ServerConfig config = TestConfig.config();
    GatedMinter minter = new GatedMinter();
    TokenServer server = TokenServer.start(config, minter).await(20, TimeUnit.SECONDS);
    assertThat(get(config.managementPort(), "/health/ready").statusCode()).isEqualTo(200);

    CompletableFuture<HttpResponse<String>> inFlight = HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + config.port() + "/rtm/held")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(minter.entered.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> drained = server.shutdown();
    assertThat(get(config.managementPort(), "/health/ready").statusCode()).isEqualTo(503);
    assertThat(get(config.managementPort(), "/health/live").statusCode()).isEqualTo(200);
    assertThat(drained).isNotDone();

    minter.release.countDown();
    HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    VerifiedToken.verify(new io.vertx.core.json.JsonObject(response.body()).getString("rtmToken"));
    drained.get(30, TimeUnit.SECONDS);
  }
}
