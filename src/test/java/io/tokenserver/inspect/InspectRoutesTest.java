package io.tokenserver.inspect;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.ServerProcess;
import io.tokenserver.support.TestConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * POST /tokens/inspect on the management port for anyone who reaches it, on the API port for API-key callers
 * only, and {@code inspect TOKEN} on the command line: the answers of the inspector, never a certificate.
 */
class InspectRoutesTest {

  private static final String KEY = "inspect-key-0123456789abcdef";
  private static RunningServer server;

  @BeforeAll
  static void start() {
    server = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("AUTH_MODE", "api-key").put("API_KEYS", KEY)));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String mint(String path, String field) {
    HttpResponse<Buffer> response = server.send(server.client().get(path).putHeader("X-API-Key", KEY), null);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getString(field);
  }

  private static HttpResponse<Buffer> onManagement(JsonObject body) {
    return server.send(server.client().request(HttpMethod.POST, server.managementPort(), "127.0.0.1",
        "/tokens/inspect"), body.toBuffer());
  }

  private static List<String> codes(JsonObject answer) {
    return answer.getJsonArray("findings").stream().map(f -> ((JsonObject) f).getString("code")).toList();
  }

  @Test
  void theManagementPortExplainsAGenuineToken() {
    String token = mint("/rtc/stage/subscriber/uid/42?expiry=600", "rtcToken");

    HttpResponse<Buffer> response = onManagement(new JsonObject().put("token", token));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject answer = response.bodyAsJsonObject();
    assertThat(answer.getString("project")).isEqualTo("default");
    assertThat(answer.getBoolean("usable")).isTrue();
    assertThat(answer.getString("appId")).isEqualTo(FakeCredentials.APP_ID);
    assertThat(answer.getString("signedWith")).isEqualTo("current");
    assertThat(answer.getLong("lifetimeSeconds")).isEqualTo(600L);
    JsonObject rtc = answer.getJsonArray("services").getJsonObject(0);
    assertThat(rtc.getString("name")).isEqualTo("rtc");
    assertThat(rtc.getString("channel")).isEqualTo("stage");
    assertThat(rtc.getLong("uid")).isEqualTo(42L);
    assertThat(rtc.getJsonArray("privileges")).hasSize(1);
    assertThat(response.bodyAsString()).doesNotContain(FakeCredentials.APP_CERTIFICATE);
  }

  @Test
  void aTamperedTokenHasAnInvalidSignatureAndAShortOneIsExpiringSoon() {
    String token = mint("/rtm/alice?expiry=60", "rtmToken");
    JsonObject answer = onManagement(new JsonObject().put("token", token).put("expiringWithinSeconds", 120))
        .bodyAsJsonObject();
    assertThat(codes(answer)).contains("expiring_soon");
    assertThat(answer.getBoolean("usable")).isTrue();

    // Another salt byte in the signed content: decodes, but no certificate signed it.
    String other = mint("/rtm/alice", "rtmToken");
    byte[] content = inflate(other);
    content[content.length - 12] ^= 1;
    JsonObject tampered = onManagement(new JsonObject().put("token", deflate(content))).bodyAsJsonObject();
    assertThat(tampered.getBoolean("usable")).isFalse();
    assertThat(tampered.getString("signedWith")).isEqualTo("none");
    assertThat(codes(tampered)).contains("invalid_signature");
  }

  @Test
  void badBodiesAre400AndGarbageIsAMalformedToken() {
    assertThat(onManagement(new JsonObject()).statusCode()).isEqualTo(400);
    assertThat(onManagement(new JsonObject().put("token", 7)).statusCode()).isEqualTo(400);
    assertThat(onManagement(new JsonObject().put("token", "007x").put("expiringWithinSeconds", -1)).statusCode())
        .isEqualTo(400);
    assertThat(onManagement(new JsonObject().put("token", "007x").put("channel", new JsonArray())).statusCode())
        .isEqualTo(400);
    HttpResponse<Buffer> garbage = onManagement(new JsonObject().put("token", "007!!not a token"));
    assertThat(garbage.statusCode()).isEqualTo(200);
    assertThat(codes(garbage.bodyAsJsonObject())).containsExactly("malformed");
  }

  @Test
  void theApiPortAnswersApiKeyCallersOnly() {
    String token = mint("/rtm/alice", "rtmToken");
    Buffer body = new JsonObject().put("token", token).toBuffer();

    HttpResponse<Buffer> withKey = server.send(server.client().post("/tokens/inspect").putHeader("X-API-Key", KEY),
        body);
    assertThat(withKey.statusCode()).isEqualTo(200);
    assertThat(withKey.bodyAsJsonObject().getString("signedWith")).isEqualTo("current");
    assertThat(server.send(server.client().post("/tokens/inspect"), body).statusCode()).isEqualTo(401);

    try (RunningServer open = RunningServer.start()) {
      HttpResponse<Buffer> anonymous = open.send(open.client().post("/tokens/inspect"), body);
      assertThat(anonymous.statusCode()).isEqualTo(403);
      assertThat(anonymous.bodyAsJsonObject().getString("error")).contains("API key");
    }
  }

  @Test
  void theCommandLinePrintsTheSameAnswerAndExitsByUsability() throws Exception {
    String token = mint("/rtc/stage/publisher/uid/42", "rtcToken");
    Map<String, String> env = Map.of("APP_ID", FakeCredentials.APP_ID, "APP_CERTIFICATE", FakeCredentials.APP_CERTIFICATE);
    try (ServerProcess good = ServerProcess.start(env, Map.of(), "inspect", token, "--channel=stage", "--user=42")) {
      assertThat(good.awaitExit(30_000)).isZero();
      String output = good.output();
      JsonObject answer = new JsonObject(output.substring(output.indexOf('{')));
      assertThat(answer.getString("signedWith")).isEqualTo("current");
      assertThat(answer.getJsonArray("services").getJsonObject(0).getString("channel")).isEqualTo("stage");
      assertThat(output).doesNotContain(FakeCredentials.APP_CERTIFICATE);
    }
    try (ServerProcess bad = ServerProcess.start(env, Map.of(), "inspect", "006garbage")) {
      assertThat(bad.awaitExit(30_000)).isEqualTo(1);
      assertThat(bad.output()).contains("\"malformed\"");
    }
    try (ServerProcess usage = ServerProcess.start(env, Map.of(), "inspect")) {
      assertThat(usage.awaitExit(30_000)).isEqualTo(2);
      assertThat(usage.output()).contains("usage: inspect TOKEN");
    }
  }

  private static byte[] inflate(String token) {
    return io.agora.media.Utils.decompress(io.agora.media.Utils.base64Decode(token.substring(3)));
  }

  private static String deflate(byte[] content) {
    java.util.zip.Deflater deflater = new java.util.zip.Deflater();
    deflater.setInput(content);
    deflater.finish();
    byte[] out = new byte[content.length + 64];
    int length = deflater.deflate(out);
    return "007" + java.util.Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(out, length));
  }
}
