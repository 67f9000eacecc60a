package io.tokenserver.auth;

import io.agora.media.AccessToken2;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.tokenserver.support.VerifiedToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chat app tokens carry admin rights over the Agora Chat REST API: by default only API-key callers get
 * them; {@code CHAT_APP_TOKENS=true} serves them to anyone the server admits.
 */
class ChatAppTokensTest {

  static final String KEY = "backend-key-0123456789abcdef";
  private static final JsonObject APP_TOKEN_BODY = new JsonObject().put("tokenType", "chat");

  @Test
  void withoutAuthenticationAppTokensAreRefusedByDefault() {
    try (RunningServer server = RunningServer.start()) {
      HttpResponse<Buffer> get = server.get("/chat/app");
      assertThat(get.statusCode()).isEqualTo(403);
      assertThat(get.bodyAsJsonObject().getString("error")).contains("CHAT_APP_TOKENS");
      assertThat(server.post("/getToken", APP_TOKEN_BODY).statusCode()).isEqualTo(403);
      // User tokens stay open.
      assertThat(server.get("/chat/account/alice").statusCode()).isEqualTo(200);
      assertThat(server.post("/getToken", APP_TOKEN_BODY.copy().put("uid", "alice")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void apiKeyCallersGetAppTokens() {
    try (RunningServer server = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("AUTH_MODE", "api-key").put("API_KEYS", KEY)))) {
      HttpResponse<Buffer> get = server.send(server.client().get("/chat/app").putHeader("X-API-Key", KEY), null);
      assertThat(get.statusCode()).as(get.bodyAsString()).isEqualTo(200);
      VerifiedToken token = VerifiedToken.verify(get.bodyAsJsonObject().getString("chatToken")).issuedFor(3600);
      assertThat(token.chat().privileges)
          .isEqualTo(Map.of(AccessToken2.PrivilegeChat.PRIVILEGE_CHAT_APP.intValue, 3600));
      HttpResponse<Buffer> post = server.send(server.client().post("/getToken").putHeader("X-API-Key", KEY),
          APP_TOKEN_BODY.toBuffer());
      assertThat(post.statusCode()).as(post.bodyAsString()).isEqualTo(200);
    }
  }

  @Test
  void chatAppTokensTrueServesThemWithoutAuthentication() {
    try (RunningServer server = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("CHAT_APP_TOKENS", "true")))) {
      assertThat(server.get("/chat/app").statusCode()).isEqualTo(200);
      assertThat(server.post("/getToken", APP_TOKEN_BODY).statusCode()).isEqualTo(200);
    }
  }
}
