package io.tokenserver.projects;

import io.agora.media.AccessToken2;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.credentials.Projects;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.Jwts;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.tokenserver.support.VerifiedToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Two Agora projects from one server (APPS_FILE): every caller × project choice × route. A token is only ever
 * signed for a project the caller may use, with that project's app id and certificate; naming a project
 * the caller may use always gets one; rotating one project's certificate leaves the other's alone.
 */
class ProjectIsolationTest {

  static final String EU_ID = FakeCredentials.APP_ID;
  static final String EU_CERT = FakeCredentials.APP_CERTIFICATE;
  static final String US_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  static final String US_CERT = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
  static final String US_CERT_ROTATED = "ffeeddccbbaa99887766554433221100";

  /** API keys and the projects each may use (empty: every project). */
  static final Map<String, Set<String>> KEYS = Map.of(
      "eu-only-key-0123456789abcdef", Set.of("eu"),
      "us-only-key-0123456789abcdef", Set.of("us"),
      "both-key-0123456789abcdef", Set.of("eu", "us"),
      "unbound-key-0123456789abcdef", Set.of());

  @TempDir
  static Path dir;
  static Path usCertificate;
  static Projects projects;
  static RunningServer server;

  @BeforeAll
  static void start() throws Exception {
    Path euId = Files.writeString(dir.resolve("eu-id"), EU_ID);
    Path euCert = Files.writeString(dir.resolve("eu-cert"), EU_CERT);
    Path usId = Files.writeString(dir.resolve("us-id"), US_ID);
    usCertificate = Files.writeString(dir.resolve("us-cert"), US_CERT);
    Path apps = Files.writeString(dir.resolve("apps.json"), new JsonObject()
        .put("default", "eu")
        .put("projects", new JsonObject()
            .put("eu", new JsonObject().put("APP_ID_FILE", euId.toString()).put("APP_CERTIFICATE_FILE", euCert.toString()))
            .put("us", new JsonObject().put("APP_ID_FILE", usId.toString()).put("APP_CERTIFICATE_FILE", usCertificate.toString())))
        .encodePrettily());
    StringBuilder keys = new StringBuilder("# key, then the projects it may use\n");
    KEYS.forEach((key, allowed) -> keys.append(key).append(' ').append(String.join(",", allowed)).append('\n'));
    Path keyFile = Files.writeString(dir.resolve("api-keys"), keys);
    ServerConfig config = ServerConfig.from(TestConfig.values().putNull("APP_ID").putNull("APP_CERTIFICATE")
        .put("APPS_FILE", apps.toString()).put("CREDENTIALS_RELOAD_INTERVAL_MS", 100)
        .put("AUTH_MODE", "api-key").put("API_KEYS_FILE", keyFile.toString()).put("CHAT_APP_TOKENS", true));
    projects = Projects.of(config.projects());
    server = RunningServer.start(config, projects);
    server.server.watchCredentials(projects);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String certificateOf(String project) {
    return project.equals("eu") ? EU_CERT : projects.get("us").credentials().get().appCertificate();
  }

  private static String appIdOf(String project) {
    return project.equals("eu") ? EU_ID : US_ID;
  }

  /** A request on {@code route}, choosing {@code project} by path prefix, by header, or not at all (null). */
  private static HttpResponse<Buffer> request(String key, String route, String byPath, String byHeader) {
    String prefix = byPath == null ? "" : "/projects/" + byPath;
    HttpRequest<Buffer> request;
    Buffer body = null;
    if (route.equals("getToken")) {
      request = server.client().post(prefix + "/getToken");
      body = new JsonObject().put("tokenType", "rtc").put("channel", "stage").put("role", "publisher")
          .put("uid", 42).toBuffer();
    } else {
      request = server.client().get(prefix + route);
    }
    request.putHeader("X-API-Key", key);
    if (byHeader != null) {
      request.putHeader("X-Agora-Project", byHeader);
    }
    return server.send(request, body);
  }

  @Test
  void aCallerNeverGetsATokenSignedForAProjectItMayNotUse() {
    List<String> routes = List.of("/rtc/stage/publisher/uid/42", "/rtm/alice", "/chat/app", "getToken");
    List<String> choices = Arrays.asList(null, "eu", "us", "mars");
    int minted = 0;
    int refused = 0;
    for (Map.Entry<String, Set<String>> caller : KEYS.entrySet()) {
      Set<String> allowed = caller.getValue().isEmpty() ? Set.of("eu", "us") : caller.getValue();
      for (String route : routes) {
        for (String byPath : choices) {
          for (String byHeader : choices) {
            HttpResponse<Buffer> response = request(caller.getKey(), route, byPath, byHeader);
            String named = byPath != null ? byPath : byHeader;
            String description = caller.getValue() + " " + route + " path=" + byPath + " header=" + byHeader;
            if (response.statusCode() != 200) {
              assertThat(response.statusCode()).as(description).isIn(400, 403);
              assertThat(named == null || !allowed.contains(named)).as("refused only when %s", description).isTrue();
              refused++;
              continue;
            }
            String token = response.bodyAsJsonObject().stream().map(e -> (String) e.getValue()).findFirst().orElseThrow();
            AccessToken2 parsed = new AccessToken2();
            assertThat(parsed.parse(token)).isTrue();
            String project = parsed.appId.equals(EU_ID) ? "eu" : parsed.appId.equals(US_ID) ? "us" : "none";
            assertThat(allowed).as("project of the token for %s", description).contains(project);
            if (named != null) {
              assertThat(project).as("the named project for %s", description).isEqualTo(named);
            }
            VerifiedToken.verify(token, certificateOf(project)).issuedFor(appIdOf(project), 3600);
            minted++;
          }
        }
      }
    }
    assertThat(minted).isGreaterThan(50);
    assertThat(refused).isGreaterThan(50);
  }

  @Test
  void withoutAChoiceACallerOfOneProjectGetsItAndOthersTheDefault() {
    assertThat(appIdOfToken(request("us-only-key-0123456789abcdef", "/rtm/alice", null, null))).isEqualTo(US_ID);
    assertThat(appIdOfToken(request("eu-only-key-0123456789abcdef", "/rtm/alice", null, null))).isEqualTo(EU_ID);
    assertThat(appIdOfToken(request("both-key-0123456789abcdef", "/rtm/alice", null, null))).isEqualTo(EU_ID);
  }

  private static String appIdOfToken(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    AccessToken2 token = new AccessToken2();
    token.parse(response.bodyAsJsonObject().getString("rtmToken"));
    return token.appId;
  }

  @Test
  void rotatingOneProjectsCertificateLeavesTheOtherAlone() throws Exception {
    String beforeRotation = request("us-only-key-0123456789abcdef", "/rtm/alice", null, null).bodyAsJsonObject()
        .getString("rtmToken");
    try {
      Files.move(Files.writeString(dir.resolve("next-cert"), US_CERT_ROTATED), usCertificate,
          StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      await().atMost(Duration.ofSeconds(10)).until(() ->
          projects.get("us").credentials().get().appCertificate().equals(US_CERT_ROTATED));

      String us = request("us-only-key-0123456789abcdef", "/rtm/alice", null, null).bodyAsJsonObject()
          .getString("rtmToken");
      VerifiedToken.verify(us, US_CERT_ROTATED).issuedFor(US_ID, 3600);
      String eu = request("eu-only-key-0123456789abcdef", "/rtm/alice", null, null).bodyAsJsonObject()
          .getString("rtmToken");
      VerifiedToken.verify(eu, EU_CERT).issuedFor(EU_ID, 3600);
      assertThat(projects.get("eu").credentials().previous()).as("eu never rotated").isNull();
      // The inspector names the project by the token's app id, and the certificate that signed it.
      JsonObject inspected = server.send(server.client().post("/tokens/inspect")
          .putHeader("X-API-Key", "eu-only-key-0123456789abcdef"), new JsonObject().put("token", beforeRotation)
          .toBuffer()).bodyAsJsonObject();
      assertThat(inspected.getString("project")).isEqualTo("us");
      assertThat(inspected.getString("signedWith")).isEqualTo("previous");
      String metrics = server.management("/metrics").bodyAsString();
      assertThat(metrics).contains("token_server_credential_reloads_total{project=\"us\"} 1.0")
          .contains("token_server_tokens_issued_total{kind=\"rtm\",project=\"us\"}");
    } finally {
      Files.writeString(usCertificate, US_CERT);
    }
  }

  @Test
  void withRateLimitPerProjectACallerHasABucketInEachProject() throws Exception {
    for (boolean perProject : new boolean[] {false, true}) {
      ServerConfig config = ServerConfig.from(TestConfig.values().putNull("APP_ID").putNull("APP_CERTIFICATE")
          .put("APPS_FILE", dir.resolve("apps.json").toString())
          .put("AUTH_MODE", "api-key").put("API_KEYS_FILE", dir.resolve("api-keys").toString())
          .put("RATE_LIMIT_PER_SECOND", 1).put("RATE_LIMIT_BURST", 2).put("RATE_LIMIT_PER_PROJECT", perProject));
      try (RunningServer limited = RunningServer.start(config, Projects.of(config.projects()))) {
        List<Integer> statuses = new ArrayList<>();
        for (String path : List.of("/projects/eu/rtm/a", "/projects/eu/rtm/a", "/projects/eu/rtm/a",
            "/projects/us/rtm/a", "/rtm/a")) {
          statuses.add(limited.send(limited.client().get(path).putHeader("X-API-Key", "unbound-key-0123456789abcdef"),
              null).statusCode());
        }
        // The last request names no project: the default, eu, whose bucket is empty either way.
        assertThat(statuses).as("RATE_LIMIT_PER_PROJECT=%s", perProject)
            .containsExactly(200, 200, 429, perProject ? 200 : 429, 429);
      }
    }
  }

  @Test
  void aKeyBoundToAnUnknownProjectStopsStartUp() throws Exception {
    Path keys = Files.writeString(dir.resolve("bad-keys"), "some-key-0123456789abcdef mars\n");
    JsonObject values = TestConfig.values().putNull("APP_ID").putNull("APP_CERTIFICATE")
        .put("APPS_FILE", dir.resolve("apps.json").toString())
        .put("AUTH_MODE", "api-key").put("API_KEYS_FILE", keys.toString());
    assertThatThrownBy(() -> ServerConfig.from(values))
        .hasMessage("API_KEYS_FILE binds a key to a project that is not configured");
  }

  @Test
  void jwtCallersGetTheProjectsOfTheirClaim() throws Exception {
    ServerConfig config = ServerConfig.from(TestConfig.values()
        .putNull("APP_ID").putNull("APP_CERTIFICATE").put("APPS_FILE", dir.resolve("apps.json").toString())
        .put("AUTH_MODE", "jwt").put("JWT_SECRET", Jwts.SECRET).put("JWT_PROJECT_CLAIM", "projects"));
    try (Jwts jwts = new Jwts(); RunningServer jwtServer = RunningServer.start(config, Projects.of(config.projects()))) {
      // A JWT that outlives the default token lifetime, so that the token gets all of it.
      long exp = System.currentTimeMillis() / 1000 + 7200;
      String usUser = jwts.hs256(Jwts.claims("alice").put("exp", exp).put("projects", new JsonArray().add("us")));
      String nobody = jwts.hs256(Jwts.claims("alice"));
      List<Integer> statuses = new ArrayList<>();
      for (String path : List.of("/rtm/alice", "/projects/us/rtm/alice", "/projects/eu/rtm/alice")) {
        HttpResponse<Buffer> response = jwtServer.send(jwtServer.client().get(path)
            .putHeader("Authorization", "Bearer " + usUser), null);
        statuses.add(response.statusCode());
        if (response.statusCode() == 200) {
          VerifiedToken.verify(response.bodyAsJsonObject().getString("rtmToken"), US_CERT).issuedFor(US_ID, 3600);
        }
      }
      assertThat(statuses).containsExactly(200, 200, 403);
      assertThat(jwtServer.send(jwtServer.client().get("/projects/eu/rtm/alice")
          .putHeader("Authorization", "Bearer " + nobody), null).statusCode()).isEqualTo(403);
    }
  }
}
