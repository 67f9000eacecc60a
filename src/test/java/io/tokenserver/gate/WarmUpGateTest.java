package io.tokenserver.gate;

import io.tokenserver.auth.Caller;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.Jwts;
import io.tokenserver.support.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The warm-up's gate admits its own key alone in every auth mode; with {@code AUTH_MODE=none} its callers then
 * become the anonymous callers users are, through the same handler.
 */
class WarmUpGateTest {

  private static final String WARM_UP_KEY = "warm-up-gate-key-0123456789abcdef";
  private static final String USER_KEY = "users-api-key-0123456789abcdef";

  private Vertx vertx;
  private HttpClient client;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    client = vertx.createHttpClient();
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** Serves {@code gate} in front of a route that answers with the caller it left: anonymous or not. */
  private int serve(CallerGate gate) {
    Router router = Router.router(vertx);
    gate.handlers().forEach(router.route()::handler);
    router.errorHandler(401, ctx -> ctx.response().setStatusCode(401).end("refused"));
    router.get("/caller").handler(ctx -> ctx.end(ctx.<Caller>get(Caller.CONTEXT_KEY).holdsApiKey() ? "key" : "anonymous"));
    return vertx.createHttpServer().requestHandler(router).listen(0).await().actualPort();
  }

  private String get(int port, String apiKey) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
        .setURI("/caller");
    if (apiKey != null) {
      options.putHeader("X-API-Key", apiKey);
    }
    return client.request(options).compose(request -> request.send())
        .compose(response -> response.body().map(body -> response.statusCode() + " " + body))
        .await();
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "api-key", "jwt"})
  void onlyTheWarmUpsKeyPassesAndWithoutAuthenticationItsCallersAreAnonymous(String mode) {
    ServerConfig users = ServerConfig.from(TestConfig.values().put("AUTH_MODE", mode).put("API_KEYS", USER_KEY)
        .put("JWT_SECRET", Jwts.SECRET));
    int port = serve(CallerGate.forWarmUp(vertx, users, WARM_UP_KEY).await());

    assertThat(get(port, null)).startsWith("401");
    assertThat(get(port, USER_KEY)).as("a user's key before ready").startsWith("401");
    assertThat(get(port, WARM_UP_KEY)).isEqualTo(mode.equals("none") ? "200 anonymous" : "200 key");
  }
}
