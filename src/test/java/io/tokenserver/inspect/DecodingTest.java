package io.tokenserver.inspect;

import io.agora.apaas.ApaasTokenBuilder;
import io.agora.chat.ChatTokenBuilder2;
import io.agora.media.AccessToken;
import io.agora.media.AccessToken2;
import io.agora.media.FpaTokenBuilder;
import io.agora.media.RtcTokenBuilder;
import io.agora.media.RtcTokenBuilder2;
import io.agora.media.Utils;
import io.agora.rtm.RtmTokenBuilder;
import io.agora.rtm.RtmTokenBuilder2;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.token.AccessToken2Minter;
import io.tokenserver.token.ChatTokenRequest;
import io.tokenserver.token.RtcTokenRequest;
import io.tokenserver.token.RtcUser;
import io.tokenserver.token.RtmTokenRequest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import static io.tokenserver.inspect.Tokens.APP_ID;
import static io.tokenserver.inspect.Tokens.CERTIFICATE;
import static io.tokenserver.inspect.Tokens.ISSUE_TS;
import static io.tokenserver.inspect.Tokens.SALT_UNSIGNED;
import static io.tokenserver.inspect.Tokens.inspectorAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** What the inspector reads from tokens the io.agora builders and this server's minter make. */
class DecodingTest {

  private static final AccessToken2Minter MINTER = new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS);

  @Test
  void readsEveryFieldOfA007RtcPublisherToken() {
    String token = Tokens.token007(3600, Tokens.rtc("stage", "42", 3600, 3600, 3600, 3600));

    Inspection inspection = inspectorAt(ISSUE_TS + 100).inspect(token, 0);

    assertThat(inspection.version()).isEqualTo("007");
    assertThat(inspection.appId()).isEqualTo(APP_ID);
    assertThat(inspection.issuedAt()).isEqualTo(ISSUE_TS);
    assertThat(inspection.expiresAt()).isEqualTo(ISSUE_TS + 3600L);
    assertThat(inspection.expiresIn()).isEqualTo(3500);
    assertThat(inspection.lifetimeSeconds()).isEqualTo(3600);
    assertThat(inspection.salt()).isEqualTo(SALT_UNSIGNED);
    assertThat(inspection.signedWith()).isEqualTo(SignatureMatch.CURRENT);
    assertThat(inspection.channelCrc32()).isNull();
    assertThat(inspection.findings()).isEmpty();
    assertThat(inspection.usable()).isTrue();
    InspectedService rtc = single(inspection);
    assertThat(rtc.type()).isEqualTo(1);
    assertThat(rtc.name()).isEqualTo("rtc");
    assertThat(rtc.channel()).isEqualTo("stage");
    assertThat(rtc.user()).isEqualTo("42");
    assertThat(rtc.uid()).isEqualTo(42);
    assertThat(rtc.account()).isNull();
    assertThat(rtc.rtcRole()).isEqualTo("publisher");
    assertThat(rtc.privileges()).extracting(InspectedPrivilege::id, InspectedPrivilege::name,
            InspectedPrivilege::stored, InspectedPrivilege::expiresAt, InspectedPrivilege::expiresIn)
        .containsExactly(
            tuple(1, "joinChannel", 3600L, ISSUE_TS + 3600L, 3500L),
            tuple(2, "publishAudioStream", 3600L, ISSUE_TS + 3600L, 3500L),
            tuple(3, "publishVideoStream", 3600L, ISSUE_TS + 3600L, 3500L),
            tuple(4, "publishDataStream", 3600L, ISSUE_TS + 3600L, 3500L));
  }

  @Test
  void agreesWithTheLibrarysOwnParseOfRtcTokenBuilder2Tokens() {
    String token = new RtcTokenBuilder2().buildTokenWithUserAccount(APP_ID, CERTIFICATE, "lobby", "alice",
        RtcTokenBuilder2.Role.ROLE_SUBSCRIBER, 600, 300);
    AccessToken2 parsed = new AccessToken2();
    parsed.parse(token);

    Inspection inspection = inspectorAt(parsed.issueTs + 10L).inspect(token, 0);

    assertThat(inspection.issuedAt()).isEqualTo(parsed.issueTs);
    assertThat(inspection.expiresAt()).isEqualTo(parsed.issueTs + 600L);
    assertThat(inspection.salt()).isEqualTo(Integer.toUnsignedLong(parsed.salt));
    assertThat(inspection.signedWith()).isEqualTo(SignatureMatch.CURRENT);
    InspectedService rtc = single(inspection);
    assertThat(rtc.channel()).isEqualTo("lobby");
    assertThat(rtc.account()).isEqualTo("alice");
    assertThat(rtc.uid()).isNull();
    assertThat(rtc.rtcRole()).isEqualTo("subscriber");
    assertThat(rtc.privileges()).extracting(InspectedPrivilege::name, InspectedPrivilege::expiresAt)
        .containsExactly(tuple("joinChannel", parsed.issueTs + 300L));
    // The join privilege ends 300 s before the token: the user is removed then, whatever the token says.
    assertThat(codes(inspection)).containsExactly("privilege_expires_before_token");
  }

  @Test
  void readsRtmChatFpaAndApaasTokensFromTheBuilders() {
    String rtm = new RtmTokenBuilder2().buildToken(APP_ID, CERTIFICATE, "bob-rtm", 900);
    String chatUser = new ChatTokenBuilder2().buildUserToken(APP_ID, CERTIFICATE, "carol", 900);
    String chatApp = new ChatTokenBuilder2().buildAppToken(APP_ID, CERTIFICATE, 900);
    String fpa = new FpaTokenBuilder().buildToken(APP_ID, CERTIFICATE);
    String apaas = new ApaasTokenBuilder().buildRoomUserToken(APP_ID, CERTIFICATE, "room-1", "user-1", (short) 2,
        900);
    long now = System.currentTimeMillis() / 1000;

    assertThat(single(inspectorAt(now).inspect(rtm, 0)))
        .extracting(InspectedService::type, InspectedService::name, InspectedService::userId)
        .containsExactly(2, "rtm", "bob-rtm");
    assertThat(single(inspectorAt(now).inspect(rtm, 0)).privileges())
        .extracting(InspectedPrivilege::id, InspectedPrivilege::name, InspectedPrivilege::stored)
        .containsExactly(tuple(1, "login", 900L));
    assertThat(single(inspectorAt(now).inspect(chatUser, 0)))
        .extracting(InspectedService::type, InspectedService::name, InspectedService::userId)
        .containsExactly(5, "chat", "carol");
    assertThat(single(inspectorAt(now).inspect(chatUser, 0)).privileges())
        .extracting(InspectedPrivilege::name).containsExactly("user");
    assertThat(single(inspectorAt(now).inspect(chatApp, 0)).privileges())
        .extracting(InspectedPrivilege::name).containsExactly("app");
    assertThat(single(inspectorAt(now).inspect(chatApp, 0)).userId()).isEmpty();
    assertThat(single(inspectorAt(now).inspect(fpa, 0)))
        .extracting(InspectedService::type, InspectedService::name).containsExactly(4, "fpa");
    // An apaas room user token also lets the user log in to RTM and Chat.
    assertThat(inspectorAt(now).inspect(apaas, 0).services())
        .extracting(InspectedService::name, InspectedService::userId, InspectedService::roomUuid,
            InspectedService::userUuid, InspectedService::apaasRole)
        .containsExactly(tuple("rtm", "user-1", null, null, null),
            tuple("chat", Utils.md5("user-1"), null, null, null),
            tuple("apaas", null, "room-1", "user-1", 2));
    for (String token : List.of(rtm, chatUser, chatApp, fpa, apaas)) {
      Inspection inspection = inspectorAt(now).inspect(token, 0);
      assertThat(inspection.signedWith()).as(token).isEqualTo(SignatureMatch.CURRENT);
      assertThat(inspection.usable()).as(token).isTrue();
    }
  }

  @Test
  void readsAnRtcAndRtmTokenFromBuildTokenWithRtm() {
    String token = new RtcTokenBuilder2().buildTokenWithRtm(APP_ID, CERTIFICATE, "lobby", "dave",
        RtcTokenBuilder2.Role.ROLE_PUBLISHER, 600, 600);

    Inspection inspection = inspectorAt(System.currentTimeMillis() / 1000).inspect(token, 0);

    assertThat(inspection.services()).extracting(InspectedService::name, InspectedService::channel,
            InspectedService::user, InspectedService::userId)
        .containsExactly(tuple("rtc", "lobby", "dave", null), tuple("rtm", null, null, "dave"));
    assertThat(inspection.findings()).isEmpty();
  }

  @Test
  void readsThisServersMintedTokens() {
    long now = System.currentTimeMillis() / 1000;
    Inspection rtc = inspectorAt(now).inspect(
        MINTER.rtc(new RtcTokenRequest("stage", RtcTokenRequest.Role.SUBSCRIBER, new RtcUser.Uid(4294967295L), 120)), 0);
    Inspection rtm = inspectorAt(now).inspect(MINTER.rtm(new RtmTokenRequest("erin", 120, "news")), 0);
    Inspection chat = inspectorAt(now).inspect(MINTER.chat(ChatTokenRequest.user("frank", 120)), 0);

    assertThat(single(rtc)).extracting(InspectedService::channel, InspectedService::uid, InspectedService::rtcRole)
        .containsExactly("stage", 4294967295L, "subscriber");
    assertThat(rtc.lifetimeSeconds()).isEqualTo(120);
    assertThat(rtc.issuedAt()).isBetween(now - 60, now + 1);
    // RTM with a stream channel: joining that channel and publishing data streams there, as the RTM user id.
    assertThat(rtm.services()).extracting(InspectedService::name, InspectedService::channel,
            InspectedService::account, InspectedService::userId)
        .containsExactly(tuple("rtc", "news", "erin", null), tuple("rtm", null, null, "erin"));
    assertThat(rtm.services().get(0).privileges()).extracting(InspectedPrivilege::name)
        .containsExactly("joinChannel", "publishDataStream");
    assertThat(single(chat).userId()).isEqualTo("frank");
    for (Inspection inspection : List.of(rtc, rtm, chat)) {
      assertThat(inspection.signedWith()).isEqualTo(SignatureMatch.CURRENT);
      assertThat(inspection.findings()).isEmpty();
    }
  }

  @Test
  void readsA006TokenAndChecksItsSignatureWithTheChannelAndUidTheClientUses() {
    String token = Tokens.token006(CERTIFICATE, "room", "42", ISSUE_TS + 86_400, Map.of(
        AccessToken.Privileges.kJoinChannel, ISSUE_TS + 86_400,
        AccessToken.Privileges.kPublishAudioStream, 0));

    Inspection blind = inspectorAt(ISSUE_TS).inspect(token, 0);
    Inspection told = inspectorAt(ISSUE_TS).inspect(token, 0, "room", "42");

    assertThat(blind.version()).isEqualTo("006");
    assertThat(blind.appId()).isEqualTo(APP_ID);
    assertThat(blind.issuedAt()).isNull();
    assertThat(blind.expiresAt()).isEqualTo(ISSUE_TS + 86_400L);
    assertThat(blind.expiresIn()).isEqualTo(86_400);
    assertThat(blind.salt()).isEqualTo(SALT_UNSIGNED);
    assertThat(blind.channelCrc32()).isEqualTo(crc32("room"));
    assertThat(blind.userCrc32()).isEqualTo(crc32("42"));
    assertThat(blind.signedWith()).isEqualTo(SignatureMatch.UNCHECKED);
    assertThat(codes(blind)).containsExactly("signature_unchecked");
    assertThat(single(blind).channel()).isNull();
    assertThat(single(blind).user()).isNull();

    assertThat(told.signedWith()).isEqualTo(SignatureMatch.CURRENT);
    assertThat(told.findings()).isEmpty();
    InspectedService rtc = single(told);
    assertThat(rtc).extracting(InspectedService::channel, InspectedService::uid).containsExactly("room", 42L);
    assertThat(rtc.privileges()).extracting(InspectedPrivilege::name, InspectedPrivilege::expiresAt,
            InspectedPrivilege::hasOwnExpiry)
        .containsExactly(tuple("joinChannel", ISSUE_TS + 86_400L, true), tuple("publishAudioStream", null, false));
  }

  @Test
  void agreesWithTheLibrarysOwnParseOf006BuilderTokens() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    // The 006 builder gives a subscriber the publish privileges too: only the 007 builder leaves them out.
    String rtc = new RtcTokenBuilder().buildTokenWithUid(APP_ID, CERTIFICATE, "hall", 0,
        RtcTokenBuilder.Role.Role_Subscriber, (int) now + 600);
    String rtm = new RtmTokenBuilder().buildToken(APP_ID, CERTIFICATE, "gina", RtmTokenBuilder.Role.Rtm_User,
        (int) now + 600);
    AccessToken parsed = new AccessToken(APP_ID, CERTIFICATE, "", "");
    parsed.fromString(rtc);

    Inspection rtcInspection = inspectorAt(now).inspect(rtc, 0, "hall", null);
    Inspection rtmInspection = inspectorAt(now).inspect(rtm, 0, null, "gina");

    assertThat(rtcInspection.expiresAt()).isEqualTo(parsed.message.ts);
    assertThat(rtcInspection.salt()).isEqualTo(Integer.toUnsignedLong(parsed.message.salt));
    assertThat(rtcInspection.signedWith()).isEqualTo(SignatureMatch.CURRENT);
    InspectedService service = single(rtcInspection);
    assertThat(service.channel()).isEqualTo("hall");
    assertThat(service.user()).as("uid 0 is stored as the checksum of no uid").isEmpty();
    assertThat(service.rtcRole()).isEqualTo("publisher");
    assertThat(service.privileges()).extracting(InspectedPrivilege::expiresAt).containsOnly(now + 600);
    assertThat(codes(rtcInspection)).containsExactlyInAnyOrder("any_uid", "privilege_expires_before_token",
        "privilege_expires_before_token", "privilege_expires_before_token", "privilege_expires_before_token");

    assertThat(rtmInspection.signedWith()).isEqualTo(SignatureMatch.CURRENT);
    assertThat(single(rtmInspection)).extracting(InspectedService::name, InspectedService::userId)
        .containsExactly("rtm", "gina");
    assertThat(single(rtmInspection).privileges()).extracting(InspectedPrivilege::id, InspectedPrivilege::name)
        .containsExactly(tuple(1000, "login"));
  }

  @Test
  void rendersPlainJsonWithTheDocumentedFieldNamesAndNoCertificate() {
    String token = Tokens.token007(3600, Tokens.rtc("stage", "", 3600));

    Map<String, Object> map = inspectorAt(ISSUE_TS + 3599).inspect(token, 60).toMap();
    String json = new JsonObject(map).encode();

    assertThat(map).containsOnlyKeys("usable", "version", "appId", "issuedAt", "issuedAtIso", "expiresAt",
        "expiresAtIso", "expiresIn", "lifetimeSeconds", "salt", "signedWith", "services", "findings",
        "inspectedAt", "inspectedAtIso");
    JsonObject parsed = new JsonObject(json);
    assertThat(parsed.getBoolean("usable")).isTrue();
    assertThat(parsed.getString("issuedAtIso")).isEqualTo("2023-11-14T22:13:20Z");
    assertThat(parsed.getLong("expiresIn")).isEqualTo(1);
    assertThat(parsed.getString("signedWith")).isEqualTo("current");
    JsonObject rtc = parsed.getJsonArray("services").getJsonObject(0);
    assertThat(rtc.fieldNames()).containsExactly("type", "name", "channel", "user", "uid", "role", "privileges");
    assertThat(rtc.getLong("uid")).isZero();
    assertThat(rtc.getJsonArray("privileges").getJsonObject(0).fieldNames())
        .containsExactly("id", "name", "stored", "expiresAt", "expiresAtIso", "expiresIn");
    assertThat(parsed.getJsonArray("findings").getJsonObject(0).getMap())
        .containsEntry("code", "expiring_soon").containsEntry("severity", "warning").containsKey("message");
    assertThat(json).doesNotContain(CERTIFICATE).doesNotContain(Tokens.PREVIOUS_CERTIFICATE);
  }

  @Test
  void renders006ChecksumsAndAPrivilegeWithoutExpiry() {
    String token = Tokens.token006(CERTIFICATE, "room", "", ISSUE_TS + 600,
        Map.of(AccessToken.Privileges.kJoinChannel, 0));

    JsonObject json = new JsonObject(inspectorAt(ISSUE_TS).inspect(token, 0).toMap());

    assertThat(json.fieldNames()).contains("channelCrc32", "userCrc32").doesNotContain("issuedAt", "lifetimeSeconds");
    assertThat(json.getLong("userCrc32")).isZero();
    assertThat(json.getString("signedWith")).isEqualTo("unchecked");
    JsonObject rtc = json.getJsonArray("services").getJsonObject(0);
    assertThat(rtc.getString("user")).as("no uid: the checksum of nothing").isEmpty();
    assertThat(rtc.containsKey("channel")).isFalse();
    assertThat(rtc.getJsonArray("privileges").getJsonObject(0).getMap())
        .containsExactly(Map.entry("id", 1), Map.entry("name", "joinChannel"), Map.entry("stored", 0L),
            Map.entry("noExpiry", true));
  }

  static InspectedService single(Inspection inspection) {
    assertThat(inspection.services()).hasSize(1);
    return inspection.services().get(0);
  }

  static List<String> codes(Inspection inspection) {
    return inspection.findings().stream().map(f -> f.code().code()).toList();
  }

  private static long crc32(String value) {
    CRC32 crc = new CRC32();
    crc.update(value.getBytes());
    return crc.getValue();
  }
}
