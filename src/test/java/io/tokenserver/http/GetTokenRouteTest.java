package io.tokenserver.http;

import io.agora.media.AccessToken2;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.VerifiedToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /getToken as the Go agora-token-service accepts it. */
class GetTokenRouteTest {

  @RegisterExtension
  static final RunningServer server = RunningServer.perClass();

  private static VerifiedToken token(JsonObject body) {
    HttpResponse<Buffer> response = server.post("/getToken", body);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().fieldNames()).containsExactly("token");
    return VerifiedToken.verify(response.bodyAsJsonObject().getString("token"));
  }

  @Test
  void rtcWithNumericStringUidIsAUid() {
    VerifiedToken token = token(new JsonObject().put("tokenType", "rtc").put("channel", "room")
        .put("role", "publisher").put("uid", "4294967295").put("expire", 1200)).issuedFor(1200);
    assertThat(token.rtc().channelName).isEqualTo("room");
    assertThat(token.rtc().uid).isEqualTo("4294967295");
    assertThat(token.rtc().privileges).isEqualTo(VerifiedToken.rtcPrivileges(true, 1200));
  }

  @Test
  void rtcWithJsonNumberUidIsAUid() {
    VerifiedToken token = token(new JsonObject().put("tokenType", "rtc").put("channel", "room")
        .put("role", "subscriber").put("uid", 0)).issuedFor(3600);
    assertThat(token.rtc().uid).isEmpty();
    assertThat(token.rtc().privileges).isEqualTo(VerifiedToken.rtcPrivileges(false, 3600));
  }

  @Test
  void rtcWithNonNumericUidIsAUserAccount() {
    assertThat(token(new JsonObject().put("tokenType", "rtc").put("channel", "room")
        .put("role", "audience").put("uid", "alice")).rtc().uid).isEqualTo("alice");
  }

  @Test
  void rtmUsesTheUidAsUserId() {
    VerifiedToken token = token(new JsonObject().put("tokenType", "rtm").put("uid", "u-9").put("expire", 60))
        .issuedFor(60);
    assertThat(token.rtm().userId).isEqualTo("u-9");
  }

  @Test
  void chatWithoutUidIsTheAppToken() {
    // Without caller authentication, app tokens need CHAT_APP_TOKENS=true (ChatAppTokensTest).
    VerifiedToken token;
    try (RunningServer open = RunningServer.start(io.tokenserver.config.ServerConfig.from(
        io.tokenserver.support.TestConfig.values().put("CHAT_APP_TOKENS", true)))) {
      HttpResponse<Buffer> response = open.post("/getToken", new JsonObject().put("tokenType", "chat"));
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      token = VerifiedToken.verify(response.bodyAsJsonObject().getString("token")).issuedFor(3600);
    }
    assertThat(token.chat().privileges)
        .isEqualTo(Map.of(AccessToken2.PrivilegeChat.PRIVILEGE_CHAT_APP.intValue, 3600));
  }

  @Test
  void chatWithUidIsAUserToken() {
    VerifiedToken token = token(new JsonObject().put("tokenType", "chat").put("uid", "chatter"));
    assertThat(token.chat().userId).isEqualTo("chatter");
    assertThat(token.chat().privileges)
        .isEqualTo(Map.of(AccessToken2.PrivilegeChat.PRIVILEGE_CHAT_USER.intValue, 3600));
  }

  @Test
  void trailingSlashIsAccepted() {
    HttpResponse<Buffer> response = server.post("/getToken/", new JsonObject().put("tokenType", "rtm").put("uid", "x"));
    assertThat(response.statusCode()).isEqualTo(200);
    VerifiedToken.verify(response.bodyAsJsonObject().getString("token"));
  }
}
