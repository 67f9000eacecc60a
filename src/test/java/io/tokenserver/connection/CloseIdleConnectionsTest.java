package io.tokenserver.connection;

import io.tokenserver.ratelimit.TrustedProxies;
import io.tokenserver.support.RawHttp;
import io.tokenserver.support.TestConfig;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ConnectionGuard#closeIdleConnections()}: what a drain may close at once, and what it must not. */
class CloseIdleConnectionsTest {

  private static final String PING = "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n";

  @Test
  void closesKeptAliveConnectionsBetweenRequestsAndNoOther() throws Exception {
    Vertx vertx = Vertx.vertx();
    Context context = vertx.getOrCreateContext();
    CompletableFuture<HttpServerResponse> heldResponse = new CompletableFuture<>();
    ConnectionGuard[] guard = new ConnectionGuard[1];
    try {
      Promise<HttpServer> listening = Promise.promise();
      context.runOnContext(ignored -> {
        OpenConnections connections = new OpenConnections(100, 100, TrustedProxies.NONE);
        guard[0] = new ConnectionGuard(vertx, TestConfig.config().protocolLimits(), connections,
            HttpHeaders.headers());
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
        vertx.createHttpServer(options)
            .connectionHandler(connection -> guard[0].onConnection(connection, options))
            .requestHandler(request -> {
              if (!guard[0].admit(request)) {
                return;
              }
              if (request.path().equals("/hold")) {
                heldResponse.complete(request.response());
              } else {
                request.response().end("pong");
              }
            })
            .listen().onComplete(listening);
      });
      int port = listening.future().await(10, TimeUnit.SECONDS).actualPort();

      try (RawHttp idle = RawHttp.connect(port, 5000);
          RawHttp busy = RawHttp.connect(port, 5000);
          RawHttp fresh = RawHttp.connect(port, 5000)) {
        assertThat(idle.send(PING).read().status()).isEqualTo(200);
        busy.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
        HttpServerResponse held = heldResponse.get(10, TimeUnit.SECONDS);

        context.runOnContext(ignored -> guard[0].closeIdleConnections());

        assertThat(idle.closedByServerWithin(5000)).as("the idle connection is closed").isTrue();
        context.runOnContext(ignored -> held.end("done"));
        assertThat(busy.read().status()).as("a request in flight is answered").isEqualTo(200);
        assertThat(fresh.send(PING).read().status()).as("a connection yet to send its first request stays")
            .isEqualTo(200);
      }
    } finally {
      context.runOnContext(ignored -> {
        if (guard[0] != null) {
          guard[0].close();
        }
      });
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
