package io.tokenserver.http;

import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.tokenserver.config.ServerConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CorsTest {

  private static RunningServer allowList;
  private static RunningServer anyOrigin;
  private static RunningServer noOrigin;

  @BeforeAll
  static void start() {
    allowList = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("CORS_ALLOW_ORIGIN", "https://app.example.com, https://admin.example.com")));
    anyOrigin = RunningServer.start();
    noOrigin = RunningServer.start(ServerConfig.from(TestConfig.values().put("CORS_ALLOW_ORIGIN", "none")));
  }

  @AfterAll
  static void stop() {
    allowList.close();
    anyOrigin.close();
    noOrigin.close();
  }

  private static HttpResponse<Buffer> get(RunningServer server, String origin) {
    return server.send(server.client().request(HttpMethod.GET, "/rtm/42").putHeader("Origin", origin), null);
  }

  @Test
  void allowedOriginIsEchoed() {
    HttpResponse<Buffer> response = get(allowList, "https://admin.example.com");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://admin.example.com");
  }

  @Test
  void otherOriginGetsNoAllowHeaderAndNoToken() {
    HttpResponse<Buffer> response = get(allowList, "https://evil.example.net");
    assertThat(response.getHeader("Access-Control-Allow-Origin")).isNull();
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("origin not allowed");
  }

  @Test
  void requestsWithoutOriginAreServedAsBefore() {
    assertThat(allowList.get("/rtm/42").statusCode()).isEqualTo(200);
  }

  @Test
  void wildcardDefaultAllowsAnyOrigin() {
    assertThat(get(anyOrigin, "https://anything.example.org").getHeader("Access-Control-Allow-Origin")).isEqualTo("*");
  }

  @Test
  void preflightIsAnswered204WithMethodsAndHeaders() {
    HttpResponse<Buffer> response = allowList.send(allowList.client().request(HttpMethod.OPTIONS, "/getToken")
        .putHeader("Origin", "https://app.example.com")
        .putHeader("Access-Control-Request-Method", "POST")
        .putHeader("Access-Control-Request-Headers", "Content-Type"), null);
    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    assertThat(response.getHeader("Access-Control-Allow-Methods")).contains("GET", "POST");
    assertThat(response.getHeader("Access-Control-Allow-Headers")).containsIgnoringCase("content-type");
    assertThat(response.getHeader("Cache-Control")).isEqualTo("private, no-cache, no-store, must-revalidate");
  }

  @Test
  void noneAllowsNoBrowserOriginButServesOtherCallers() {
    HttpResponse<Buffer> response = get(noOrigin, "https://app.example.com");
    HttpResponse<Buffer> preflight = noOrigin.send(noOrigin.client().request(HttpMethod.OPTIONS, "/getToken")
        .putHeader("Origin", "https://app.example.com")
        .putHeader("Access-Control-Request-Method", "POST")
        .putHeader("Access-Control-Request-Headers", "Content-Type"), null);

    // The token is served, but without an allow header no browser lets a page read it.
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getString("rtmToken")).startsWith("007");
    assertThat(response.headers().names()).noneMatch(name -> name.toLowerCase().startsWith("access-control-"));
    assertThat(preflight.statusCode()).isNotEqualTo(204);
    assertThat(preflight.headers().names()).noneMatch(name -> name.toLowerCase().startsWith("access-control-"));
    assertThat(noOrigin.get("/rtm/42").statusCode()).isEqualTo(200);
  }
}
