package io.tokenserver.http;

import io.agora.media.AccessToken2;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.VerifiedToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RtcRouteTest {

  @RegisterExtension
  static final RunningServer server = RunningServer.perClass();

  private static VerifiedToken rtcToken(String path) {
    HttpResponse<Buffer> response = server.get(path);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(response.bodyAsJsonObject().fieldNames()).containsExactly("rtcToken");
    return VerifiedToken.verify(response.bodyAsJsonObject().getString("rtcToken"));
  }

  @Test
  void publisherWithUidGetsJoinAndPublishPrivilegesForTheDefaultHour() {
    VerifiedToken token = rtcToken("/rtc/stage/publisher/uid/42").issuedFor(3600);
    assertThat(token.token.services).containsOnlyKeys(AccessToken2.SERVICE_TYPE_RTC);
    assertThat(token.rtc().channelName).isEqualTo("stage");
    assertThat(token.rtc().uid).isEqualTo("42");
    assertThat(token.rtc().privileges).isEqualTo(VerifiedToken.rtcPrivileges(true, 3600));
  }

  @ParameterizedTest
  @ValueSource(strings = {"subscriber", "audience"})
  void subscriberAndAudienceMayOnlyJoin(String role) {
    VerifiedToken token = rtcToken("/rtc/stage/" + role + "/uid/7").issuedFor(3600);
    assertThat(token.rtc().privileges).isEqualTo(VerifiedToken.rtcPrivileges(false, 3600));
  }

  @Test
  void uidZeroMeansAnyUidAndIsWrittenAsEmpty() {
    assertThat(rtcToken("/rtc/stage/publisher/uid/0").rtc().uid).isEmpty();
  }

  @Test
  void largestUnsignedUidIsKeptWhole() {
    assertThat(rtcToken("/rtc/stage/publisher/uid/4294967295").rtc().uid).isEqualTo("4294967295");
  }

  @Test
  void userAccountIsWrittenAsGiven() {
    VerifiedToken token = rtcToken("/rtc/stage/publisher/userAccount/alice_01").issuedFor(3600);
    assertThat(token.rtc().uid).isEqualTo("alice_01");
  }

  @Test
  void everyAllowedSpecialCharacterPassesInAChannelName() {
    String channel = "aZ09 !#$%&()+-:;<=.>?@[]^_{|}~,";
    String encoded = URLEncoder.encode(channel, StandardCharsets.UTF_8).replace("+", "%20");
    assertThat(rtcToken("/rtc/" + encoded + "/subscriber/uid/1").rtc().channelName).isEqualTo(channel);
  }

  @Test
  void expiryQuerySetsTokenAndPrivilegeLifetime() {
    VerifiedToken token = rtcToken("/rtc/stage/publisher/uid/42?expiry=120").issuedFor(120);
    assertThat(token.rtc().privileges).isEqualTo(VerifiedToken.rtcPrivileges(true, 120));
  }

  @Test
  void emptyExpiryMeansTheDefault() {
    rtcToken("/rtc/stage/publisher/uid/42?expiry=").issuedFor(3600);
  }

  @Test
  void trailingSlashAnswersTheSame() {
    assertThat(rtcToken("/rtc/stage/publisher/uid/42/").rtc().uid).isEqualTo("42");
  }

  @Test
  void responsesAreNeverCached() {
    HttpResponse<Buffer> response = server.get("/rtc/stage/publisher/uid/42");
    assertThat(response.getHeader("Cache-Control")).isEqualTo("private, no-cache, no-store, must-revalidate");
    assertThat(response.getHeader("Expires")).isEqualTo("-1");
    assertThat(response.getHeader("Pragma")).isEqualTo("no-cache");
  }
}
