package io.tokenserver.token;

import io.agora.media.AccessToken2;
import io.agora.media.Utils;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.VerifiedToken;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccessToken2MinterTest {

  private static final int ISSUE_TS = 1_700_000_000;
  private static final int SALT = -123_456_789;
  private static final int EXPIRE = 3600;

  /** The minter under test with the library's two random inputs pinned. */
  private final AccessToken2Minter pinned =
      new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS, () -> ISSUE_TS, () -> SALT);
  private final AccessToken2Minter minter = new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS);

  /** What io.agora's AccessToken2#build gives for the same issue time, salt and service. */
  private static String library(AccessToken2.Service service, int expire) throws Exception {
    AccessToken2 token = new AccessToken2(FakeCredentials.APP_ID, FakeCredentials.APP_CERTIFICATE, expire);
    token.issueTs = ISSUE_TS;
    token.salt = SALT;
    token.addService(service);
    return token.build();
  }

  private static String libraryRtc(String channel, String uid, boolean publisher, int expire) throws Exception {
    AccessToken2.ServiceRtc service = new AccessToken2.ServiceRtc(channel, uid);
    service.addPrivilegeRtc(AccessToken2.PrivilegeRtc.PRIVILEGE_JOIN_CHANNEL, expire);
    if (publisher) {
      service.addPrivilegeRtc(AccessToken2.PrivilegeRtc.PRIVILEGE_PUBLISH_AUDIO_STREAM, expire);
      service.addPrivilegeRtc(AccessToken2.PrivilegeRtc.PRIVILEGE_PUBLISH_VIDEO_STREAM, expire);
      service.addPrivilegeRtc(AccessToken2.PrivilegeRtc.PRIVILEGE_PUBLISH_DATA_STREAM, expire);
    }
    return library(service, expire);
  }

  private static RtcTokenRequest rtc(String channel, RtcTokenRequest.Role role, RtcUser user) {
    return new RtcTokenRequest(channel, role, user, EXPIRE);
  }

  @Test
  void rtcPublisherWithUidIsByteForByteTheLibrarysToken() throws Exception {
    assertThat(pinned.rtc(rtc("stage", RtcTokenRequest.Role.PUBLISHER, new RtcUser.Uid(42))))
        .isEqualTo(libraryRtc("stage", "42", true, EXPIRE));
  }

  @Test
  void rtcSubscriberWithUidIsByteForByteTheLibrarysToken() throws Exception {
    assertThat(pinned.rtc(rtc("stage", RtcTokenRequest.Role.SUBSCRIBER, new RtcUser.Uid(7))))
        .isEqualTo(libraryRtc("stage", "7", false, EXPIRE));
  }

  @Test
  void rtcUidZeroIsByteForByteTheLibrarysAnyUidToken() throws Exception {
    assertThat(pinned.rtc(rtc("stage", RtcTokenRequest.Role.PUBLISHER, new RtcUser.Uid(0))))
        .isEqualTo(libraryRtc("stage", "", true, EXPIRE));
  }

  @Test
  void rtcLargestUidIsByteForByteTheLibrarysToken() throws Exception {
    assertThat(pinned.rtc(rtc("stage", RtcTokenRequest.Role.SUBSCRIBER, new RtcUser.Uid(RtcUser.Uid.MAX))))
        .isEqualTo(libraryRtc("stage", "4294967295", false, EXPIRE));
  }

  @Test
  void rtcUserAccountsAreByteForByteTheLibrarysTokens() throws Exception {
    assertThat(pinned.rtc(rtc("stage", RtcTokenRequest.Role.PUBLISHER, new RtcUser.Account("alice_01"))))
        .isEqualTo(libraryRtc("stage", "alice_01", true, EXPIRE));
    assertThat(pinned.rtc(rtc("stage", RtcTokenRequest.Role.SUBSCRIBER, new RtcUser.Account("alice_01"))))
        .isEqualTo(libraryRtc("stage", "alice_01", false, EXPIRE));
  }

  @Test
  void longestChannelAndAccountWithEverySpecialCharacterAreByteForByteTheLibrarysToken() throws Exception {
    String channel = ("aZ09" + InputRules.ALLOWED_SPECIALS).repeat(3).substring(0, InputRules.MAX_CHANNEL_BYTES);
    String account = "x".repeat(InputRules.MAX_ACCOUNT_BYTES);
    RtcTokenRequest request = new RtcTokenRequest(channel, RtcTokenRequest.Role.PUBLISHER, new RtcUser.Account(account), 86_400);
    assertThat(pinned.rtc(request)).isEqualTo(libraryRtc(channel, account, true, 86_400));
  }

  @Test
  void rtmWithAStreamChannelAddsJoinAndDataStreamsInThatChannelAsTheGoServiceDoes() throws Exception {
    AccessToken2 token = new AccessToken2(FakeCredentials.APP_ID, FakeCredentials.APP_CERTIFICATE, 120);
    token.issueTs = ISSUE_TS;
    token.salt = SALT;
    AccessToken2.ServiceRtc stream = new AccessToken2.ServiceRtc("test", "user-42");
    stream.addPrivilegeRtc(AccessToken2.PrivilegeRtc.PRIVILEGE_JOIN_CHANNEL, 120);
    stream.addPrivilegeRtc(AccessToken2.PrivilegeRtc.PRIVILEGE_PUBLISH_DATA_STREAM, 120);
    AccessToken2.ServiceRtm rtm = new AccessToken2.ServiceRtm("user-42");
    rtm.addPrivilegeRtm(AccessToken2.PrivilegeRtm.PRIVILEGE_LOGIN, 120);
    token.addService(stream);
    token.addService(rtm);

    assertThat(pinned.rtm(new RtmTokenRequest("user-42", 120, "test"))).isEqualTo(token.build());
  }

  @Test
  void rtmIsByteForByteTheLibrarysToken() throws Exception {
    AccessToken2.ServiceRtm service = new AccessToken2.ServiceRtm("user-42");
    service.addPrivilegeRtm(AccessToken2.PrivilegeRtm.PRIVILEGE_LOGIN, 120);
    assertThat(pinned.rtm(new RtmTokenRequest("user-42", 120))).isEqualTo(library(service, 120));
  }

  @Test
  void chatUserTokenIsByteForByteTheLibrarysToken() throws Exception {
    AccessToken2.ServiceChat service = new AccessToken2.ServiceChat("chat-user");
    service.addPrivilegeChat(AccessToken2.PrivilegeChat.PRIVILEGE_CHAT_USER, EXPIRE);
    assertThat(pinned.chat(ChatTokenRequest.user("chat-user", EXPIRE))).isEqualTo(library(service, EXPIRE));
  }

  @Test
  void chatAppTokenIsByteForByteTheLibrarysToken() throws Exception {
    AccessToken2.ServiceChat service = new AccessToken2.ServiceChat();
    service.addPrivilegeChat(AccessToken2.PrivilegeChat.PRIVILEGE_CHAT_APP, EXPIRE);
    assertThat(pinned.chat(ChatTokenRequest.app(EXPIRE))).isEqualTo(library(service, EXPIRE));
  }

  @Test
  void eachNewSecondIsSignedWithThatSecondsKey() throws Exception {
    int[] now = {ISSUE_TS};
    AccessToken2Minter ticking = new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS, () -> now[0], () -> SALT);
    RtcTokenRequest request = rtc("stage", RtcTokenRequest.Role.PUBLISHER, new RtcUser.Uid(42));
    String first = ticking.rtc(request);
    now[0] = ISSUE_TS + 1;
    String second = ticking.rtc(request);

    assertThat(first).isEqualTo(libraryRtc("stage", "42", true, EXPIRE));
    AccessToken2 parsed = VerifiedToken.verify(second).token;
    assertThat(parsed.issueTs).isEqualTo(ISSUE_TS + 1);
  }

  @Test
  void liveTokensCarryTheRequestAndAValidSignature() {
    VerifiedToken rtc = VerifiedToken.verify(minter.rtc(rtc("stage", RtcTokenRequest.Role.PUBLISHER, new RtcUser.Uid(42))))
        .issuedFor(EXPIRE);
    assertThat(rtc.rtc().channelName).isEqualTo("stage");
    assertThat(rtc.rtc().uid).isEqualTo("42");
    assertThat(rtc.rtc().privileges).isEqualTo(VerifiedToken.rtcPrivileges(true, EXPIRE));

    VerifiedToken rtm = VerifiedToken.verify(minter.rtm(new RtmTokenRequest("user-42", 60))).issuedFor(60);
    assertThat(rtm.rtm().userId).isEqualTo("user-42");

    VerifiedToken chat = VerifiedToken.verify(minter.chat(ChatTokenRequest.user("chat-user", 60))).issuedFor(60);
    assertThat(chat.chat().userId).isEqualTo("chat-user");
    assertThat(chat.chat().privileges).containsOnlyKeys(AccessToken2.PrivilegeChat.PRIVILEGE_CHAT_USER.intValue);
  }

  @Test
  void everyTokenGetsItsOwnRandomSalt() {
    Set<Integer> salts = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      salts.add(VerifiedToken.verify(minter.rtm(new RtmTokenRequest("same-user", EXPIRE))).token.salt);
    }
    assertThat(salts).hasSizeGreaterThan(45);
  }

  @Test
  void userIdsAreWrittenAsUtf8WhateverThePlatformCharset() {
    String userId = "josé-日本-😀";
    byte[] utf8 = userId.getBytes(StandardCharsets.UTF_8);
    byte[] content = Utils.decompress(Utils.base64Decode(minter.rtm(new RtmTokenRequest(userId, EXPIRE)).substring(3)));
    // The RTM service is the last thing in the token: its user id's length prefix, then the bytes.
    byte[] tail = Arrays.copyOfRange(content, content.length - utf8.length - 2, content.length);
    assertThat(tail[0] & 0xFF | (tail[1] & 0xFF) << 8).isEqualTo(utf8.length);
    assertThat(Arrays.copyOfRange(tail, 2, tail.length)).isEqualTo(utf8);
  }

  @Test
  void aRotatedCertificateSignsTheVeryNextToken() {
    AppCredentials rotated = new AppCredentials(FakeCredentials.APP_ID, "0123456789abcdef0123456789ABCDEF");
    AtomicReference<AppCredentials> current = new AtomicReference<>(FakeCredentials.CREDENTIALS);
    AccessToken2Minter rotating = new AccessToken2Minter(current::get);
    RtmTokenRequest request = new RtmTokenRequest("user-42", EXPIRE);

    VerifiedToken.verify(rotating.rtm(request), FakeCredentials.APP_CERTIFICATE);
    current.set(rotated);
    VerifiedToken.verify(rotating.rtm(request), rotated.appCertificate());
  }

  @Test
  void malformedCredentialsAreRefusedWithoutPrintingThem() {
    String certificate = "not-a-certificate-but-secret-ish";
    AccessToken2Minter broken = new AccessToken2Minter(() -> new AppCredentials(FakeCredentials.APP_ID, certificate));
    assertThatThrownBy(() -> broken.rtm(new RtmTokenRequest("user-42", EXPIRE)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("32 hex characters")
        .hasMessageNotContaining(certificate);
  }

  @Test
  void threadsMintingAtOnceEachGetValidTokens() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      Callable<Void> mintMany = () -> {
        for (int i = 0; i < 200; i++) {
          String user = "user-" + Thread.currentThread().getId() + "-" + i;
          assertThat(VerifiedToken.verify(minter.rtm(new RtmTokenRequest(user, EXPIRE))).rtm().userId).isEqualTo(user);
        }
        return null;
      };
      List<Future<Void>> done = threads.invokeAll(List.of(mintMany, mintMany, mintMany, mintMany));
      for (Future<Void> future : done) {
        future.get();
      }
    } finally {
      threads.shutdownNow();
    }
  }
}
