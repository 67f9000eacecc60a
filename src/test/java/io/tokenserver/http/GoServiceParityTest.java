package io.tokenserver.http;

import io.agora.media.AccessToken2;
import io.tokenserver.support.RunningServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The requests of the Go agora-token-service's own endpoint tests (service/endpoints_test.go), replayed
 * against this server with the status codes that file expects. One differs on purpose: see docs/api.md.
 * The Go service hands Chat app tokens to anyone; here that takes {@code CHAT_APP_TOKENS=true}.
 */
class GoServiceParityTest {

  @RegisterExtension
  static final RunningServer server = RunningServer.perClass(new JsonObject().put("CHAT_APP_TOKENS", true));

  @ParameterizedTest(name = "GET {0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "/rtc/fsda/publisher/uid/0/?expiry=600 | 200",
      "/rtc/fsda/publisher/uid/test/?expiry=600 | 400",
      "/rtc/fsda/publisher/uid/0/?expiry=failing | 400",
      "/rtm/username/?expiry=600 | 200",
      "/rtm/0/?expiry=600 | 400",
      "/chat/app/ | 200",
      "/chat/account/username/ | 200",
      "/chat/account/ | 404",
      "/chat/invalid/ | 404",
      "/chat/account/username/?expiry=600 | 200",
      "/chat/account/username/?expiry=fail | 400",
      "/rte/channelName/publisher/uid/0/rtmid/?expiry=600 | 200",
      "/rte/channelName/publisher/uid/2345/?expiry=600 | 200",
      "/rte/channelName/subscriber/uid/0/rtmid/?expiry=600 | 200",
      "/rte/channelName/subscriber/uid/2345/?expiry=600 | 200",
      "/rte/channelName/publisher/uid/0/?expiry=600 | 400",
      "/rte/channelName/publisher/uid/2345/?expiry=failing | 400",
      "/ping | 200",
      "/rtc/fsda/publisher/uid/0/ | 200",
      "/rtc/fsda/publisher/userAccount/0/ | 200",
      "/rtc/fsda/publisher/nonsense/0/ | 400"})
  void getAnswersAsTheGoService(String path, int status) {
    assertThat(server.get(path).statusCode()).isEqualTo(status);
  }

  @ParameterizedTest(name = "POST /getToken {0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "{\"tokenType\": \"rtc\", \"channel\": \"channel123\", \"role\": \"publisher\", \"uid\": \"user123\", \"expire\": 3600} | 200",
      "{\"tokenType\": \"rtm\", \"uid\": \"user456\", \"expire\": 1800} | 200",
      "{\"tokenType\": \"rtm\", \"uid\": \"user456\", \"expire\": 1800, \"channel\": \"test\"} | 200",
      "{\"tokenType\": \"chat\", \"uid\": \"user789\", \"expire\": 900} | 200",
      "{\"channel\": \"channel456\", \"role\": \"subscriber\", \"expire\": 1800} | 400",
      "{\"tokenType\": \"invalid_type\", \"channel\": \"channel789\", \"role\": \"publisher\", \"uid\": \"user123\", \"expire\": 3600} | 400",
      "{\"tokenType\": \"rtc\", \"role\": \"publisher\", \"uid\": \"user123\", \"expire\": 3600} | 400",
      "{\"tokenType\": \"rtm\", \"expire\": 1800} | 400",
      "'' | 400",
      "{\"tokenType\": \"chat\"} | 200",
      "{\"tokenType\": \"chat\", \"uid\": \"user123\"} | 200"})
  void postAnswersAsTheGoService(String body, int status) {
    assertThat(server.post("/getToken", body).statusCode()).isEqualTo(status);
  }

  /**
   * The Go service reads an empty uid as 0 ("any uid may join"); an empty segment is usually an unset client
   * variable, so no route matches it here. A client that means uid 0 sends 0.
   */
  @Test
  void anEmptyRtcUidIsRefusedOnPurposeWhereTheGoServiceMintsAUidZeroToken() {
    HttpResponse<Buffer> response = server.get("/rtc/fsda/publisher/uid//?expiry=600");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("not found");
  }

  @Test
  void anRtmTokenWithAChannelAlsoJoinsThatChannelAndPublishesDataStreams() {
    String token = server.post("/getToken", "{\"tokenType\":\"rtm\",\"uid\":\"user456\",\"expire\":1800,"
        + "\"channel\":\"test\"}").bodyAsJsonObject().getString("token");

    AccessToken2 parsed = new AccessToken2();
    assertThat(parsed.parse(token)).isTrue();
    AccessToken2.ServiceRtc rtc = (AccessToken2.ServiceRtc) parsed.services.get(AccessToken2.SERVICE_TYPE_RTC);
    AccessToken2.ServiceRtm rtm = (AccessToken2.ServiceRtm) parsed.services.get(AccessToken2.SERVICE_TYPE_RTM);
    assertThat(rtm.getUserId()).isEqualTo("user456");
    assertThat(rtc.getChannelName()).isEqualTo("test");
    assertThat(rtc.getUid()).isEqualTo("user456");
    assertThat(rtc.getPrivileges()).containsOnlyKeys(
        AccessToken2.PrivilegeRtc.PRIVILEGE_JOIN_CHANNEL.intValue,
        AccessToken2.PrivilegeRtc.PRIVILEGE_PUBLISH_DATA_STREAM.intValue);
  }
}
