package io.tokenserver.auth;

import io.tokenserver.token.ChatTokenRequest;
import io.tokenserver.token.RtcTokenRequest;
import io.tokenserver.token.RtcUser;
import io.tokenserver.token.RtmTokenRequest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Identity binding and claim rules, without a server. */
class AccessRulesTest {

  private final AccessRules bindingOnly = new AccessRules("sub", null, null);
  private final AccessRules allRules = new AccessRules("sub", "channels", "publisher");

  private static RtcTokenRequest rtc(String channel, RtcTokenRequest.Role role, RtcUser user) {
    return new RtcTokenRequest(channel, role, user, 3600);
  }

  private static RtcTokenRequest uid(long uid) {
    return rtc("stage", RtcTokenRequest.Role.SUBSCRIBER, new RtcUser.Uid(uid));
  }

  @Test
  void rtcUidMustBeTheSubject() {
    assertThat(bindingOnly.denial(Map.of("sub", "42"), uid(42))).isNull();
    assertThat(bindingOnly.denial(Map.of("sub", "42"), uid(43))).contains("uid must be the caller's own");
  }

  @Test
  void aNumericClaimBindsTheSameUid() {
    assertThat(bindingOnly.denial(Map.of("sub", 42), uid(42))).isNull();
    assertThat(bindingOnly.denial(Map.of("sub", 4294967295L), uid(4294967295L))).isNull();
  }

  @Test
  void uidZeroMeaningAnyUidIsNeverIssuedEvenToACallerWhoseClaimIsZero() {
    assertThat(bindingOnly.denial(Map.of("sub", "0"), uid(0))).contains("uid 0");
    assertThat(bindingOnly.denial(Map.of("sub", 0), uid(0))).contains("uid 0");
    assertThat(bindingOnly.denial(Map.of("sub", "42"), uid(0))).isNotNull();
  }

  @Test
  void rtcUserAccountMustBeTheSubject() {
    assertThat(bindingOnly.denial(Map.of("sub", "alice"),
        rtc("stage", RtcTokenRequest.Role.PUBLISHER, new RtcUser.Account("alice")))).isNull();
    assertThat(bindingOnly.denial(Map.of("sub", "alice"),
        rtc("stage", RtcTokenRequest.Role.PUBLISHER, new RtcUser.Account("bob")))).isNotNull();
  }

  @Test
  void rtmUserIdMustBeTheSubject() {
    assertThat(bindingOnly.denial(Map.of("sub", "alice"), new RtmTokenRequest("alice", 60))).isNull();
    assertThat(bindingOnly.denial(Map.of("sub", "alice"), new RtmTokenRequest("mallory", 60))).isNotNull();
  }

  @Test
  void chatUserMustBeTheSubjectAndAppTokensAreNeverIssuedToUsers() {
    assertThat(bindingOnly.denial(Map.of("sub", "alice"), ChatTokenRequest.user("alice", 60))).isNull();
    assertThat(bindingOnly.denial(Map.of("sub", "alice"), ChatTokenRequest.user("bob", 60))).contains("chatid");
    assertThat(bindingOnly.denial(Map.of("sub", "alice"), ChatTokenRequest.app(60))).contains("app tokens");
  }

  @Test
  void theUidClaimIsConfigurable() {
    AccessRules rules = new AccessRules("user_id", null, null);
    assertThat(rules.denial(Map.of("sub", "x", "user_id", "alice"), new RtmTokenRequest("alice", 60))).isNull();
    assertThat(rules.denial(Map.of("sub", "alice"), new RtmTokenRequest("alice", 60))).contains("user_id");
  }

  @Test
  void aMissingOrNonTextIdentityClaimAllowsNothing() {
    assertThat(bindingOnly.denial(Map.of(), new RtmTokenRequest("alice", 60))).contains("no usable sub");
    assertThat(bindingOnly.denial(Map.of("sub", List.of("alice")), new RtmTokenRequest("alice", 60))).isNotNull();
    assertThat(bindingOnly.denial(Map.of("sub", ""), new RtmTokenRequest("", 60))).isNotNull();
  }

  @Test
  void channelsClaimLimitsChannelsWithWildcards() {
    Map<String, Object> claims = Map.of("sub", "7", "channels", List.of("team-*", "lobby"));
    assertThat(allRules.denial(claims, rtc("team-blue", RtcTokenRequest.Role.SUBSCRIBER, new RtcUser.Uid(7)))).isNull();
    assertThat(allRules.denial(claims, rtc("lobby", RtcTokenRequest.Role.SUBSCRIBER, new RtcUser.Uid(7)))).isNull();
    assertThat(allRules.denial(claims, rtc("lobby2", RtcTokenRequest.Role.SUBSCRIBER, new RtcUser.Uid(7)))).contains("channel");
    assertThat(allRules.denial(claims, rtc("other", RtcTokenRequest.Role.SUBSCRIBER, new RtcUser.Uid(7)))).contains("channel");
  }

  @Test
  void aSinglePatternStringIsAcceptedAsChannelsClaim() {
    Map<String, Object> claims = Map.of("sub", "7", "channels", "*");
    assertThat(allRules.denial(claims, rtc("anything", RtcTokenRequest.Role.SUBSCRIBER, new RtcUser.Uid(7)))).isNull();
  }

  @Test
  void withTheChannelsRuleOnATokenWithoutTheClaimMayJoinNoChannel() {
    assertThat(allRules.denial(Map.of("sub", "7"), rtc("lobby", RtcTokenRequest.Role.SUBSCRIBER, new RtcUser.Uid(7))))
        .contains("channel");
  }

  @Test
  void publisherRoleNeedsThePublisherClaim() {
    RtcTokenRequest publish = rtc("lobby", RtcTokenRequest.Role.PUBLISHER, new RtcUser.Uid(7));
    assertThat(allRules.denial(Map.of("sub", "7", "channels", "*"), publish)).contains("publisher");
    assertThat(allRules.denial(Map.of("sub", "7", "channels", "*", "publisher", false), publish)).contains("publisher");
    assertThat(allRules.denial(Map.of("sub", "7", "channels", "*", "publisher", true), publish)).isNull();
    assertThat(allRules.denial(Map.of("sub", "7", "channels", "*", "publisher", List.of("lob*")), publish)).isNull();
    assertThat(allRules.denial(Map.of("sub", "7", "channels", "*", "publisher", List.of("stage")), publish))
        .contains("publisher");
  }

  @Test
  void subscribersNeedNoPublisherClaim() {
    assertThat(allRules.denial(Map.of("sub", "7", "channels", "*"),
        rtc("lobby", RtcTokenRequest.Role.SUBSCRIBER, new RtcUser.Uid(7)))).isNull();
  }

  @Test
  void withoutChannelAndPublisherRulesOnlyTheIdentityIsChecked() {
    assertThat(bindingOnly.denial(Map.of("sub", "7"), rtc("any", RtcTokenRequest.Role.PUBLISHER, new RtcUser.Uid(7)))).isNull();
  }

  @Test
  void theRtmStreamChannelIsCheckedLikeAnyRtcChannel() {
    Map<String, Object> teamOnly = Map.of("sub", "alice", "channels", "team-*", "publisher", true);
    assertThat(allRules.denial(teamOnly, new RtmTokenRequest("alice", 300, "team-a"))).isNull();
    assertThat(allRules.denial(teamOnly, new RtmTokenRequest("alice", 300, "other"))).contains("channel");
    assertThat(allRules.denial(teamOnly, new RtmTokenRequest("alice", 300))).isNull();
  }

  @Test
  void anyChannelNeedsTheCallersPatternToBeAStar() {
    RtmTokenRequest anyChannel = new RtmTokenRequest("alice", 300, "*");
    assertThat(allRules.denial(Map.of("sub", "alice", "channels", "team-*", "publisher", true), anyChannel))
        .contains("channel");
    assertThat(allRules.denial(Map.of("sub", "alice", "channels", List.of("*a*", "lobby"), "publisher", true),
        anyChannel)).contains("channel");
    assertThat(allRules.denial(Map.of("sub", "alice", "channels", "*", "publisher", true), anyChannel)).isNull();
  }

  @Test
  void publishingDataStreamsInTheRtmStreamChannelNeedsThePublisherClaim() {
    RtmTokenRequest stream = new RtmTokenRequest("alice", 300, "team-a");
    assertThat(allRules.denial(Map.of("sub", "alice", "channels", "*", "publisher", false), stream))
        .contains("publishing");
    assertThat(allRules.denial(Map.of("sub", "alice", "channels", "*", "publisher", List.of("team-*")), stream))
        .isNull();
  }
}
