package io.tokenserver.http;

import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.GatedMinter;
import io.tokenserver.support.Jwts;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Holds the server to src/main/resources/openapi.yaml: real requests to the real server, every request checked
 * with Vert.x's OpenAPI request validator (the document must call exactly the requests the server answers 400
 * invalid) and every response with its response validator (status, headers and body as documented).
 */
@ExtendWith(VertxExtension.class)
class OpenApiContractTest {

  private static Vertx vertx;
  private static OpenAPIContract contract;
  private static RequestValidator requestValidator;
  private static ResponseValidator responseValidator;
  private static Validator errorBody;
  /** Answers "valid" or the request validator's complaint; the same request then goes to the server. */
  private static HttpServer requestChecker;
  private static RunningServer server;

  @BeforeAll
  static void start(Vertx extensionVertx) throws Exception {
    vertx = extensionVertx; // closed by the extension after the class
    contract = OpenAPIContract.from(vertx, "openapi.yaml").await(20, TimeUnit.SECONDS);
    JsonObject document = contract.getRawContract();
    requestValidator = RequestValidator.create(vertx, contract);
    responseValidator = ResponseValidator.create(vertx, contract);
    errorBody = Validator.create(JsonSchema.of(document.getJsonObject("components").getJsonObject("schemas")
        .getJsonObject("Error")), new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri("app://"));
    requestChecker = vertx.createHttpServer()
        .requestHandler(request -> requestValidator.validate(request).onComplete(validated ->
            request.response().end(validated.succeeded() ? "valid" : "invalid: " + validated.cause().getMessage())))
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    server = RunningServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** One exchange: the request validator's verdict and the server's response, checked against the document. */
  private static HttpResponse<Buffer> exchange(RunningServer target, HttpMethod method, String uri,
      Map<String, String> headers, String body) {
    HttpRequest<Buffer> toChecker = target.client().request(method, requestChecker.actualPort(), "127.0.0.1", uri);
    HttpRequest<Buffer> toServer = target.client().request(method, uri);
    headers.forEach((name, value) -> {
      toChecker.putHeader(name, value);
      toServer.putHeader(name, value);
    });
    Buffer payload = body == null ? null : Buffer.buffer(body);
    HttpResponse<Buffer> response = target.send(toServer, payload);
    String verdict = target.send(toChecker, payload).bodyAsString();

    String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
    Operation operation = contract.findOperation(path, method);
    if (operation == null) {
      assertThat(response.statusCode()).as("%s %s is in no documented route", method, uri).isIn(404, 405);
      OutputUnit result = errorBody.validate(response.bodyAsJsonObject());
      assertThat(result.getValid()).as("error body %s: %s", response.bodyAsString(), result).isTrue();
      return response;
    }
    Map<String, String> responseHeaders = new HashMap<>();
    response.headers().forEach(header -> responseHeaders.put(header.getKey(), header.getValue()));
    ValidatableResponse validatable = ValidatableResponse.create(response.statusCode(), responseHeaders,
        response.body(), response.getHeader("Content-Type"));
    try {
      responseValidator.validate(validatable, operation.getOperationId()).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(method + " " + uri + " answered " + response.statusCode() + " "
          + response.bodyAsString() + ", which the document does not allow: " + e.getMessage(), e);
    }
    // The document and the server agree on what is bad input: invalid for the validator exactly when 400.
    assertThat(verdict).as("%s %s answered %d %s", method, uri, response.statusCode(), response.bodyAsString())
        .startsWith(response.statusCode() == 400 ? "invalid" : "valid");
    return response;
  }

  private static HttpResponse<Buffer> get(RunningServer target, String uri, int status) {
    HttpResponse<Buffer> response = exchange(target, HttpMethod.GET, uri, Map.of(), null);
    assertThat(response.statusCode()).as("GET %s: %s", uri, response.bodyAsString()).isEqualTo(status);
    return response;
  }

  private static void post(String body, int status) {
    HttpResponse<Buffer> response = exchange(server, HttpMethod.POST, "/getToken",
        Map.of("Content-Type", "application/json"), body);
    assertThat(response.statusCode()).as("POST %s: %s", body, response.bodyAsString()).isEqualTo(status);
  }

  static Stream<Arguments> getRequests() {
    return Stream.of(
        arguments("/ping", 200),
        arguments("/rtc/stage/publisher/uid/42", 200),
        arguments("/rtc/stage/audience/uid/0?expiry=600", 200),
        arguments("/rtc/stage/subscriber/uid/4294967295", 200),
        arguments("/rtc/my%20stage/publisher/userAccount/alice_01?expiry=86400", 200),
        arguments("/rtm/alice", 200),
        arguments("/rtm/%E7%94%A8%E6%88%B7", 200),
        arguments("/rte/stage/publisher/uid/42", 200),
        arguments("/rte/stage/publisher/uid/0/rtm-alice", 200),
        arguments("/chat/app?expiry=60", 403), // app tokens need an API-key caller
        arguments("/chat/account/alice", 200),
        arguments("/rtc/bad*channel/publisher/uid/42", 400),
        arguments("/rtc/" + "c".repeat(63) + "/publisher/uid/42", 200),
        arguments("/rtc/" + "c".repeat(64) + "/publisher/uid/42", 400),
        arguments("/rtm/" + "u".repeat(64), 200),
        arguments("/rtc/stage/admin/uid/42", 400),
        arguments("/rtc/stage/publisher/number/42", 400),
        arguments("/rtc/stage/publisher/userAccount/bad*account", 400),
        arguments("/rtc/stage/publisher/uid/42?expiry=0", 400),
        arguments("/rtc/stage/publisher/uid/42?expiry=86401", 400),
        arguments("/rtc/stage/publisher/uid/42?expiry=soon", 400),
        arguments("/rtm/0", 400),
        arguments("/rtm/" + "u".repeat(65), 400),
        arguments("/rtm/tab%09name", 400),
        arguments("/rte/stage/publisher/uid/0", 400),
        arguments("/rte/stage/publisher/uid/42/0", 400),
        arguments("/chat/account/" + "u".repeat(65), 400),
        arguments("/chat/app?expiry=-1", 400),
        arguments("/nowhere", 404),
        arguments("/rtc/stage/publisher/uid", 404));
  }

  @ParameterizedTest(name = "GET {0} -> {1}")
  @MethodSource("getRequests")
  void everyGetRouteAnswersAsDocumented(String uri, int status) {
    get(server, uri, status);
  }

  static Stream<Arguments> postBodies() {
    return Stream.of(
        arguments("{\"tokenType\":\"rtc\",\"channel\":\"stage\",\"role\":\"publisher\",\"uid\":42}", 200),
        arguments("{\"tokenType\":\"rtc\",\"channel\":\"stage\",\"role\":\"subscriber\",\"uid\":\"alice\",\"expire\":60}", 200),
        arguments("{\"tokenType\":\"rtm\",\"uid\":\"alice\",\"expire\":\"1800\"}", 200),
        arguments("{\"tokenType\":\"rtm\",\"uid\":\"alice\",\"channel\":\"stage\"}", 200),
        arguments("{\"tokenType\":\"rtm\",\"uid\":\"alice\",\"channel\":\"*\"}", 200),
        arguments("{\"tokenType\":\"chat\"}", 403), // app tokens need an API-key caller
        arguments("{\"tokenType\":\"chat\",\"uid\":\"alice\"}", 200),
        arguments("{\"tokenType\":\"video\",\"uid\":\"alice\"}", 400),
        arguments("{\"channel\":\"stage\",\"role\":\"publisher\",\"uid\":42}", 400),
        arguments("{\"tokenType\":\"rtc\",\"role\":\"publisher\",\"uid\":42}", 400),
        arguments("{\"tokenType\":\"rtc\",\"channel\":\"bad*channel\",\"role\":\"publisher\",\"uid\":42}", 400),
        arguments("{\"tokenType\":\"rtm\"}", 400),
        arguments("{\"tokenType\":\"rtm\",\"uid\":\"0\"}", 400),
        arguments("{\"tokenType\":\"rtm\",\"uid\":\"alice\",\"channel\":\"bad*channel\"}", 400),
        arguments("{\"tokenType\":\"chat\",\"expire\":0}", 400),
        arguments("{\"tokenType\":\"chat\",\"expire\":1.5}", 400),
        arguments("[\"rtc\"]", 400));
  }

  @ParameterizedTest(name = "POST /getToken {0} -> {1}")
  @MethodSource("postBodies")
  void getTokenAnswersAsDocumented(String body, int status) {
    post(body, status);
  }

  @Test
  void theDocumentIsServedWithoutCredentialsAndIsTheOneTheTestReads() throws Exception {
    HttpResponse<Buffer> response = get(server, "/openapi.yaml", 200);

    assertThat(response.getHeader("Content-Type")).isEqualTo("application/yaml");
    try (InputStream in = OpenApiContractTest.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      assertThat(response.body().getBytes()).isEqualTo(in.readAllBytes());
    }
  }

  @Test
  void anUnknownMethodOnAKnownPathIs405() {
    HttpResponse<Buffer> response = exchange(server, HttpMethod.DELETE, "/rtm/alice", Map.of(), null);
    assertThat(response.statusCode()).isEqualTo(405);
  }

  /** A schema cannot state a byte limit on a body; the description does, and 413 is documented. */
  @Test
  void aBodyOverTheLimitIs413() {
    HttpResponse<Buffer> response = exchange(server, HttpMethod.POST, "/getToken",
        Map.of("Content-Type", "application/json"), "{\"tokenType\":\"chat\",\"pad\":\"" + "x".repeat(5000) + "\"}");
    assertThat(response.statusCode()).isEqualTo(413);
  }

  /** A uid's numeric range depends on tokentype, so the document states it in prose; 400 all the same. */
  @Test
  void aUidAbove32BitsIs400AsTheDescriptionSays() {
    HttpResponse<Buffer> response = server.get("/rtc/stage/publisher/uid/4294967296");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(contract.findOperation("/rtc/stage/publisher/uid/1", HttpMethod.GET).getParameters())
        .anySatisfy(parameter -> assertThat(parameter.getName()).isEqualTo("uid"));
    assertThat(contract.getRawContract().getJsonObject("components").getJsonObject("parameters")
        .getJsonObject("rtcUid").getString("description")).contains("0-4294967295");
  }

  @Test
  void missingOrWrongCredentialsAre401AndAnotherUsersTokenIs403() {
    ServerConfig config = ServerConfig.from(TestConfig.values().put("AUTH_MODE", "jwt").put("JWT_SECRET", Jwts.SECRET));
    try (RunningServer jwt = RunningServer.start(config)) {
      String alice = "Bearer " + Jwts.hs256(Jwts.claims("alice"), Jwts.SECRET);

      HttpResponse<Buffer> anonymous = exchange(jwt, HttpMethod.GET, "/rtm/alice", Map.of(), null);
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.getHeader("WWW-Authenticate")).startsWith("Bearer realm=\"agora-token-server\"");
      assertThat(exchange(jwt, HttpMethod.GET, "/rtm/alice", Map.of("Authorization", "Bearer not-a-jwt"), null)
          .statusCode()).isEqualTo(401);
      assertThat(exchange(jwt, HttpMethod.GET, "/rtm/bob", Map.of("Authorization", alice), null).statusCode())
          .isEqualTo(403);
      assertThat(exchange(jwt, HttpMethod.GET, "/rtm/alice", Map.of("Authorization", alice), null).statusCode())
          .isEqualTo(200);
      assertThat(exchange(jwt, HttpMethod.GET, "/ping", Map.of(), null).statusCode()).isEqualTo(200);
      assertThat(exchange(jwt, HttpMethod.GET, "/openapi.yaml", Map.of(), null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aCallerOverItsRateGets429WithRetryAfter() {
    ServerConfig config = ServerConfig.from(TestConfig.values().put("RATE_LIMIT_PER_SECOND", 1)
        .put("RATE_LIMIT_BURST", 1));
    try (RunningServer limited = RunningServer.start(config)) {
      assertThat(exchange(limited, HttpMethod.GET, "/rtm/alice", Map.of(), null).statusCode()).isEqualTo(200);
      // Empty the bucket (one token a second), then the checked request comes right after.
      for (int i = 0; i < 10 && limited.get("/rtm/alice").statusCode() != 429; i++) {
        assertThat(i).as("a request answered 429").isLessThan(9);
      }
      HttpResponse<Buffer> over = exchange(limited, HttpMethod.GET, "/rtm/alice", Map.of(), null);
      assertThat(over.statusCode()).isEqualTo(429);
      assertThat(Integer.parseInt(over.getHeader("Retry-After"))).isPositive();
    }
  }

  @Test
  void aSaturatedSigningPoolAnswers503WithRetryAfter() throws Exception {
    GatedMinter minter = new GatedMinter();
    ServerConfig config = ServerConfig.from(TestConfig.values().put("SIGNING_POOL_SIZE", 1)
        .put("SIGNING_MAX_PENDING", 1));
    try (RunningServer busy = RunningServer.start(config, minter)) {
      var held = busy.client().request(HttpMethod.GET, "/rtm/held").send();
      assertThat(minter.entered.await(10, TimeUnit.SECONDS)).isTrue();

      HttpResponse<Buffer> response = exchange(busy, HttpMethod.GET, "/rtm/alice", Map.of(), null);

      assertThat(response.statusCode()).isEqualTo(503);
      minter.release.countDown();
      assertThat(held.await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
  }
}
