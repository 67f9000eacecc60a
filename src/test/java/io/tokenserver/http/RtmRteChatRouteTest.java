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

class RtmRteChatRouteTest {

  @RegisterExtension
  static final RunningServer server = RunningServer.perClass();

  private static JsonObject ok(String path) {
    HttpResponse<Buffer> response = server.get(path);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  @Test
  void rtmTokenLogsInTheUserForTheRequestedTime() {
    JsonObject body = ok("/rtm/user-42?expiry=600");
    assertThat(body.fieldNames()).containsExactly("rtmToken");
    VerifiedToken token = VerifiedToken.verify(body.getString("rtmToken")).issuedFor(600);
    assertThat(token.token.services).containsOnlyKeys(AccessToken2.SERVICE_TYPE_RTM);
    assertThat(token.rtm().userId).isEqualTo("user-42");
    assertThat(token.rtm().privileges).isEqualTo(Map.of(AccessToken2.PrivilegeRtm.PRIVILEGE_LOGIN.intValue, 600));
  }

  @Test
  void rtmTrailingSlashAndDefaultExpiry() {
    VerifiedToken token = VerifiedToken.verify(ok("/rtm/42/").getString("rtmToken")).issuedFor(3600);
    assertThat(token.rtm().userId).isEqualTo("42");
  }

  @Test
  void rtmUserIdMayBeNonAsciiUtf8() {
    VerifiedToken token = VerifiedToken.verify(ok("/rtm/%C3%A9l%C3%A8ve").getString("rtmToken"));
    assertThat(token.rtm().userId).isEqualTo("élève");
  }

  @Test
  void rteWithOneUidGivesRtcAndRtmTokensForTheSameUser() {
    JsonObject body = ok("/rte/hall/publisher/uid/77?expiry=300");
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("rtcToken", "rtmToken");
    VerifiedToken rtc = VerifiedToken.verify(body.getString("rtcToken")).issuedFor(300);
    assertThat(rtc.rtc().channelName).isEqualTo("hall");
    assertThat(rtc.rtc().uid).isEqualTo("77");
    assertThat(rtc.rtc().privileges).isEqualTo(VerifiedToken.rtcPrivileges(true, 300));
    VerifiedToken rtm = VerifiedToken.verify(body.getString("rtmToken")).issuedFor(300);
    assertThat(rtm.rtm().userId).isEqualTo("77");
  }

  @Test
  void rteWithSeparateRtmUserId() {
    JsonObject body = ok("/rte/hall/subscriber/userAccount/bob/bob-rtm/");
    VerifiedToken rtc = VerifiedToken.verify(body.getString("rtcToken")).issuedFor(3600);
    assertThat(rtc.rtc().uid).isEqualTo("bob");
    assertThat(rtc.rtc().privileges).isEqualTo(VerifiedToken.rtcPrivileges(false, 3600));
    assertThat(VerifiedToken.verify(body.getString("rtmToken")).rtm().userId).isEqualTo("bob-rtm");
  }

  @Test
  void chatAppTokenCarriesTheAppPrivilege() {
    // Without caller authentication, app tokens need CHAT_APP_TOKENS=true (ChatAppTokensTest).
    JsonObject body;
    try (RunningServer open = RunningServer.start(io.tokenserver.config.ServerConfig.from(
        io.tokenserver.support.TestConfig.values().put("CHAT_APP_TOKENS", true)))) {
      HttpResponse<Buffer> response = open.get("/chat/app?expiry=900");
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      body = response.bodyAsJsonObject();
    }
    assertThat(body.fieldNames()).containsExactly("chatToken");
    VerifiedToken token = VerifiedToken.verify(body.getString("chatToken")).issuedFor(900);
    assertThat(token.token.services).containsOnlyKeys(AccessToken2.SERVICE_TYPE_CHAT);
    assertThat(token.chat().userId).isEmpty();
    assertThat(token.chat().privileges).isEqualTo(Map.of(AccessToken2.PrivilegeChat.PRIVILEGE_CHAT_APP.intValue, 900));
  }

  @Test
  void chatUserTokenCarriesTheUserPrivilege() {
    VerifiedToken token = VerifiedToken.verify(ok("/chat/account/chatter_1/").getString("chatToken")).issuedFor(3600);
    assertThat(token.chat().userId).isEqualTo("chatter_1");
    assertThat(token.chat().privileges)
        .isEqualTo(Map.of(AccessToken2.PrivilegeChat.PRIVILEGE_CHAT_USER.intValue, 3600));
  }

  @Test
  void pingAnswersPongWithAndWithoutSlash() {
    assertThat(ok("/ping")).isEqualTo(new JsonObject().put("message", "pong"));
    assertThat(ok("/ping/")).isEqualTo(new JsonObject().put("message", "pong"));
  }
}
