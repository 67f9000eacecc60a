package io.tokenserver.support;

import io.tokenserver.TokenServer;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.credentials.Projects;
import io.tokenserver.token.AccessToken2Minter;
import io.tokenserver.token.TokenMinter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.concurrent.TimeUnit;

/**
 * The real server started in-process on the free loopback ports it picks itself ({@code PORT=0}), with a blocking client for tests that read
 * as specifications: {@code server.get("/rtm/42").bodyAsJsonObject()}. Either started directly, or shared by
 * a test class as {@code @RegisterExtension static final RunningServer server = RunningServer.perClass();}.
 */
public final class RunningServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

  public ServerConfig config;
  public TokenServer server;
  private Vertx clientVertx;
  private WebClient client;
  private JsonObject settings = new JsonObject();

  private RunningServer() {
  }

  private RunningServer(ServerConfig config, TokenServer server) {
    attach(config, server);
  }

  private void attach(ServerConfig config, TokenServer server) {
    this.config = config;
    this.server = server;
    this.clientVertx = Vertx.vertx();
    this.client = WebClient.create(clientVertx, new WebClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(server.port()));
  }

  /** The API port the server listens on (the configured one is usually 0). */
  public int port() {
    return server.port();
  }

  /** The management port the server listens on. */
  public int managementPort() {
    return server.managementPort();
  }

  /** A server with the default test config, started before the class's tests and stopped after them. */
  public static RunningServer perClass() {
    return new RunningServer();
  }

  /** The same, with {@code settings} layered over the test defaults. */
  public static RunningServer perClass(JsonObject settings) {
    RunningServer server = new RunningServer();
    server.settings = settings;
    return server;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    ServerConfig config = ServerConfig.from(TestConfig.values().mergeIn(settings));
    attach(config, startServer(config, fakeCredentialsMinter()));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  public static RunningServer start() {
    return start(TestConfig.config());
  }

  public static RunningServer start(ServerConfig config) {
    return start(config, fakeCredentialsMinter());
  }

  public static RunningServer start(ServerConfig config, TokenMinter minter) {
    return new RunningServer(config, startServer(config, minter));
  }

  /** Each project of {@code config} signing with its own credentials. */
  public static RunningServer start(ServerConfig config, Projects projects) {
    try {
      return new RunningServer(config, TokenServer.start(config, projects).await(20, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("server did not start", e);
    }
  }

  private static TokenServer startServer(ServerConfig config, TokenMinter minter) {
    try {
      return TokenServer.start(config, minter).await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("server did not start", e);
    }
  }

  private static TokenMinter fakeCredentialsMinter() {
    return new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS);
  }

  public HttpResponse<Buffer> get(String path) {
    return send(client.request(HttpMethod.GET, path), null);
  }

  public HttpResponse<Buffer> post(String path, String body) {
    return send(client.request(HttpMethod.POST, path), Buffer.buffer(body));
  }

  public HttpResponse<Buffer> post(String path, JsonObject body) {
    return post(path, body.encode());
  }

  /** A request on the management port. */
  public HttpResponse<Buffer> management(String path) {
    return send(client.request(HttpMethod.GET, managementPort(), "127.0.0.1", path), null);
  }

  public WebClient client() {
    return client;
  }

  /** Sends {@code request} (with {@code body} when not null) and waits for the response. */
  public HttpResponse<Buffer> send(HttpRequest<Buffer> request, Buffer body) {
    try {
      return (body == null ? request.send() : request.sendBuffer(body)).await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("request failed: " + e, e);
    }
  }

  @Override
  public void close() {
    try {
      server.shutdown().get(30, TimeUnit.SECONDS);
      clientVertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("server did not stop", e);
    }
  }
}
