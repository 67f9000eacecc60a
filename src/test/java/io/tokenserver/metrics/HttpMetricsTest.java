package io.tokenserver.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The HTTP meters of a route are resolved once and then only recorded into: no registry lookup per request. */
class HttpMetricsTest {

  private static final String REQUESTS = "token.server.http.requests";

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private HttpMetrics http;
  private Vertx vertx;
  private HttpClient client;
  private int port;

  @BeforeEach
  void serveOneLabelledRoute() {
    vertx = Vertx.vertx();
    http = new HttpMetrics();
    http.bindTo(registry);
    Router router = Router.router(vertx);
    router.route().handler(http.recorder());
    http.label(router.get("/rtc/:channel"), "/rtc/:channel").handler(ctx -> ctx.end("ok"));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0).await();
    port = server.actualPort();
    client = vertx.createHttpClient();
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aRouteKeepsRecordingIntoTheMetersItResolvedOnce() {
    assertThat(get(HttpMethod.GET, "/rtc/first")).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> registry.find(REQUESTS).counter() != null
        && registry.find(REQUESTS).counter().count() == 1.0);
    Counter requests = registry.get(REQUESTS).tags("route", "/rtc/:channel", "method", "GET", "code", "200").counter();
    Timer duration = registry.get("token.server.http.request.duration").tags("route", "/rtc/:channel").timer();
    // Gone from the registry: a request that looked its meters up again would register new ones.
    registry.remove(requests);
    registry.remove(duration);

    assertThat(get(HttpMethod.GET, "/rtc/second")).isEqualTo(200);
    assertThat(get(HttpMethod.GET, "/rtc/third")).isEqualTo(200);

    await().atMost(Duration.ofSeconds(10)).until(() -> requests.count() == 3.0);
    assertThat(duration.count()).isEqualTo(3);
    assertThat(registry.find(REQUESTS).counters()).as("meters looked up again").isEmpty();
  }

  @Test
  void forgottenMetersAreResolvedAgainIntoTheSameSeries() {
    assertThat(get(HttpMethod.GET, "/rtc/first")).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> registry.find(REQUESTS).counter() != null
        && registry.find(REQUESTS).counter().count() == 1.0);
    Counter first = registry.get(REQUESTS).tags("route", "/rtc/:channel", "method", "GET", "code", "200").counter();
    registry.remove(first);

    http.forgetResolvedMeters();
    assertThat(get(HttpMethod.GET, "/rtc/second")).isEqualTo(200);

    await().atMost(Duration.ofSeconds(10)).until(() -> registry.find(REQUESTS).counter() != null);
    Counter resolvedAgain = registry.get(REQUESTS).tags("route", "/rtc/:channel", "method", "GET", "code", "200")
        .counter();
    assertThat(resolvedAgain).as("looked up in the registry again").isNotSameAs(first);
    assertThat(resolvedAgain.count()).isEqualTo(1.0);
    assertThat(first.count()).as("the forgotten meter no longer recorded into").isEqualTo(1.0);
  }

  @Test
  void unknownPathsAndMadeUpMethodsShareOneRouteAndMethodLabel() {
    assertThat(get(HttpMethod.valueOf("MADEUP"), "/made-up/1")).isEqualTo(404);
    assertThat(get(HttpMethod.valueOf("OTHERMADEUP"), "/made-up/2")).isEqualTo(404);
    assertThat(get(HttpMethod.GET, "/made-up/3")).isEqualTo(404);

    await().atMost(Duration.ofSeconds(10)).until(() -> registry.find(REQUESTS).counters().stream()
        .mapToDouble(Counter::count).sum() == 3.0);
    assertThat(registry.get(REQUESTS).tags("route", "none", "method", "OTHER", "code", "404").counter().count())
        .isEqualTo(2.0);
    assertThat(registry.get(REQUESTS).tags("route", "none", "method", "GET", "code", "404").counter().count())
        .isEqualTo(1.0);
    assertThat(registry.find(REQUESTS).counters()).hasSize(2);
  }

  private int get(HttpMethod method, String path) {
    return client.request(method, port, "127.0.0.1", path)
        .compose(request -> request.send())
        .map(HttpClientResponse::statusCode)
        .await();
  }
}
