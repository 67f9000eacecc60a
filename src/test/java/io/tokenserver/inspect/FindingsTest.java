package io.tokenserver.inspect;

import io.agora.media.AccessToken;
import io.agora.media.AccessToken2;
import io.agora.media.RtcTokenBuilder2;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.token.AccessToken2Minter;
import io.tokenserver.token.RtcTokenRequest;
import io.tokenserver.token.RtcUser;
import io.tokenserver.token.RtmTokenRequest;
import io.tokenserver.token.TokenMinter;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.tokenserver.inspect.DecodingTest.codes;
import static io.tokenserver.inspect.Tokens.APP_ID;
import static io.tokenserver.inspect.Tokens.CERTIFICATE;
import static io.tokenserver.inspect.Tokens.ISSUE_TS;
import static io.tokenserver.inspect.Tokens.inspectorAt;
import static io.tokenserver.inspect.Tokens.rtc;
import static io.tokenserver.inspect.Tokens.token007;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** Each finding, on the token that causes it, and only there. */
class FindingsTest {

  private static final String PUBLISHER = token007(3600, rtc("stage", "42", 3600, 3600, 3600, 3600));

  @Test
  void aFreshTokenHasNoFindings() {
    assertThat(inspectorAt(ISSUE_TS + 1).inspect(PUBLISHER, 300).findings()).isEmpty();
  }

  @Test
  void anExpiredTokenIsAnError() {
    Inspection inspection = inspectorAt(ISSUE_TS + 3700).inspect(PUBLISHER, 300);

    assertThat(inspection.expiresIn()).isEqualTo(-100);
    assertThat(inspection.services().get(0).privileges()).extracting(InspectedPrivilege::expiresIn)
        .containsOnly(-100L);
    assertThat(inspection.findings()).extracting(f -> f.code().code(), f -> f.severity(), Finding::service)
        .containsExactly(tuple("expired", Finding.Severity.ERROR, null));
    assertThat(inspection.findings().get(0).message()).contains("2023-11-14T23:13:20Z", "100 seconds ago", "109");
    assertThat(inspection.usable()).isFalse();
  }

  @Test
  void expiryIsTheMomentItself() {
    assertThat(codes(inspectorAt(ISSUE_TS + 3599).inspect(PUBLISHER, 0))).isEmpty();
    assertThat(codes(inspectorAt(ISSUE_TS + 3600).inspect(PUBLISHER, 0))).containsExactly("expired");
  }

  @Test
  void aTokenExpiringWithinTheGivenSecondsIsAWarning() {
    Inspection inspection = inspectorAt(ISSUE_TS + 3400).inspect(PUBLISHER, 300);

    assertThat(inspection.findings()).extracting(f -> f.code().code(), Finding::severity)
        .containsExactly(tuple("expiring_soon", Finding.Severity.WARNING));
    assertThat(inspection.findings().get(0).message()).contains("in 200 seconds");
    assertThat(inspection.usable()).isTrue();
    assertThat(codes(inspectorAt(ISSUE_TS + 3400).inspect(PUBLISHER, 199))).isEmpty();
    assertThat(codes(inspectorAt(ISSUE_TS + 3400).inspect(PUBLISHER, 0))).isEmpty();
  }

  @Test
  void anExpiredJoinPrivilegeIsAnErrorWhileTheTokenIsValid() {
    String token = token007(3600, rtc("stage", "42", 600));

    Inspection before = inspectorAt(ISSUE_TS + 500).inspect(token, 300);
    Inspection after = inspectorAt(ISSUE_TS + 700).inspect(token, 0);

    assertThat(before.findings()).extracting(f -> f.code().code(), Finding::service, Finding::privilege)
        .containsExactly(tuple("privilege_expires_before_token", "rtc", "joinChannel"),
            tuple("expiring_soon", "rtc", "joinChannel"));
    assertThat(after.findings()).extracting(f -> f.code().code(), Finding::severity, Finding::privilege)
        .containsExactly(tuple("expired", Finding.Severity.ERROR, "joinChannel"));
    assertThat(after.findings().get(0).message()).contains("100 seconds ago");
    assertThat(after.usable()).isFalse();
    assertThat(after.expiresIn()).isEqualTo(2900);
  }

  @Test
  void anExpiredPublishPrivilegeIsOnlyAWarning_AgoraChecksItWithCoHostAuthenticationOnly() {
    String token = new RtcTokenBuilder2().buildTokenWithUid(APP_ID, CERTIFICATE, "stage", 42, 3600, 3600, 60, 3600,
        3600);
    AccessToken2 parsed = new AccessToken2();
    parsed.parse(token);

    Inspection inspection = inspectorAt(parsed.issueTs + 120L).inspect(token, 0);

    assertThat(inspection.findings()).extracting(f -> f.code().code(), Finding::severity, Finding::privilege)
        .containsExactly(tuple("expired", Finding.Severity.WARNING, "publishAudioStream"));
    assertThat(inspection.findings().get(0).message()).contains("co-host authentication");
    assertThat(inspection.usable()).isTrue();
  }

  @Test
  void aTokenOfAnotherProjectIsOtherAppIdAndNotAnInvalidSignature() {
    String token = token007(Tokens.OTHER_APP_ID, Tokens.OTHER_CERTIFICATE, 3600, rtc("stage", "42", 3600));

    Inspection inspection = inspectorAt(ISSUE_TS).inspect(token, 0);

    assertThat(inspection.appId()).isEqualTo(Tokens.OTHER_APP_ID);
    assertThat(inspection.signedWith()).isEqualTo(SignatureMatch.NONE);
    assertThat(codes(inspection)).containsExactly("other_app_id");
    assertThat(inspection.findings().get(0).message()).contains(Tokens.OTHER_APP_ID, APP_ID);
    assertThat(inspection.usable()).isFalse();
  }

  @Test
  void aTokenSignedWithAnotherCertificateIsAnInvalidSignature() {
    String token = token007(APP_ID, Tokens.OTHER_CERTIFICATE, 3600, rtc("stage", "42", 3600));

    Inspection inspection = inspectorAt(ISSUE_TS).inspect(token, 0);

    assertThat(inspection.signedWith()).isEqualTo(SignatureMatch.NONE);
    assertThat(inspection.findings()).extracting(f -> f.code().code(), Finding::severity)
        .containsExactly(tuple("invalid_signature", Finding.Severity.ERROR));
    assertThat(inspection.findings().get(0).message()).contains("nor the previous one", "110");
    assertThat(Tokens.inspectorWithoutPreviousAt(ISSUE_TS).inspect(token, 0).findings().get(0).message())
        .doesNotContain("previous");
  }

  @Test
  void aTokenSignedWithThePreviousCertificateSaysSo() {
    String token007 = token007(APP_ID, Tokens.PREVIOUS_CERTIFICATE, 3600, rtc("stage", "42", 3600));
    String token006 = Tokens.token006(Tokens.PREVIOUS_CERTIFICATE, "room", "42", ISSUE_TS + 60,
        Map.of(AccessToken.Privileges.kJoinChannel, ISSUE_TS + 60));

    Inspection inspection = inspectorAt(ISSUE_TS).inspect(token007, 0);
    Inspection inspection006 = inspectorAt(ISSUE_TS).inspect(token006, 0, "room", "42");
    Inspection withoutPrevious = Tokens.inspectorWithoutPreviousAt(ISSUE_TS).inspect(token007, 0);

    assertThat(inspection.signedWith()).isEqualTo(SignatureMatch.PREVIOUS);
    assertThat(inspection.findings()).extracting(f -> f.code().code(), Finding::severity)
        .containsExactly(tuple("previous_certificate", Finding.Severity.WARNING));
    assertThat(inspection006.signedWith()).isEqualTo(SignatureMatch.PREVIOUS);
    assertThat(withoutPrevious.signedWith()).isEqualTo(SignatureMatch.NONE);
    assertThat(codes(withoutPrevious)).containsExactly("invalid_signature");
  }

  @Test
  void uidZeroMeansAnyUid() {
    TokenMinter minter = new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS);
    String token = minter.rtc(new RtcTokenRequest("stage", RtcTokenRequest.Role.PUBLISHER, new RtcUser.Uid(0), 600));

    Inspection inspection = inspectorAt(System.currentTimeMillis() / 1000).inspect(token, 0);

    assertThat(inspection.services().get(0).user()).isEmpty();
    assertThat(inspection.services().get(0).uid()).isZero();
    assertThat(inspection.findings()).extracting(f -> f.code().code(), Finding::severity, Finding::service)
        .containsExactly(tuple("any_uid", Finding.Severity.WARNING, "rtc"));
  }

  @Test
  void anRtmTokenWithStreamChannelStarIsForAnyChannel() {
    TokenMinter minter = new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS);
    String token = minter.rtm(new RtmTokenRequest("hank", 600, "*"));

    Inspection inspection = inspectorAt(System.currentTimeMillis() / 1000).inspect(token, 0);

    assertThat(inspection.services().get(0).channel()).isEqualTo("*");
    assertThat(inspection.findings()).extracting(f -> f.code().code(), Finding::service)
        .containsExactly(tuple("any_channel", "rtc"));
  }

  @Test
  void digitsNoNumericUidCanMatchWereMintedAsAnAccount() {
    for (String account : new String[] {"0042", "0", "4294967296", "99999999999"}) {
      String token = new RtcTokenBuilder2().buildTokenWithUserAccount(APP_ID, CERTIFICATE, "stage", account,
          RtcTokenBuilder2.Role.ROLE_PUBLISHER, 600, 600);

      Inspection inspection = inspectorAt(System.currentTimeMillis() / 1000).inspect(token, 0);

      assertThat(inspection.services().get(0).account()).as(account).isEqualTo(account);
      assertThat(inspection.services().get(0).uid()).as(account).isNull();
      assertThat(codes(inspection)).as(account).containsExactly("uid_as_account");
      assertThat(inspection.findings().get(0).message()).as(account).contains("numeric uid fails");
    }
  }

  @Test
  void anAccountOfPlainDigitsReadsAsThatUidBecauseTheTokenIsTheSame() {
    String asAccount = new RtcTokenBuilder2().buildTokenWithUserAccount(APP_ID, CERTIFICATE, "stage", "42",
        RtcTokenBuilder2.Role.ROLE_PUBLISHER, 600, 600);

    Inspection inspection = inspectorAt(System.currentTimeMillis() / 1000).inspect(asAccount, 0);

    assertThat(inspection.services().get(0).uid()).isEqualTo(42);
    assertThat(inspection.findings()).isEmpty();
  }

  @Test
  void anRtmUserIdThatIsNotTheRtcUserIsNamed() {
    String token = new RtcTokenBuilder2().buildTokenWithRtm2(APP_ID, CERTIFICATE, "stage", "ivy",
        RtcTokenBuilder2.Role.ROLE_PUBLISHER, 600, 600, 600, 600, 600, "ivy-rtm", 600);
    String anyUid = new RtcTokenBuilder2().buildTokenWithRtm2(APP_ID, CERTIFICATE, "stage", "",
        RtcTokenBuilder2.Role.ROLE_PUBLISHER, 600, 600, 600, 600, 600, "ivy-rtm", 600);
    long now = System.currentTimeMillis() / 1000;

    Inspection inspection = inspectorAt(now).inspect(token, 0);

    assertThat(inspection.findings()).extracting(f -> f.code().code(), Finding::severity, Finding::service)
        .containsExactly(tuple("rtm_user_differs", Finding.Severity.WARNING, "rtm"));
    assertThat(inspection.findings().get(0).message()).contains("\"ivy-rtm\"", "\"ivy\"");
    assertThat(codes(inspectorAt(now).inspect(anyUid, 0))).containsExactly("any_uid");
  }

  @Test
  void theChannelAndUserTheClientUsesAreComparedWithTheToken() {
    Inspection wrong = inspectorAt(ISSUE_TS).inspect(PUBLISHER, 0, "stage2", "43");
    Inspection right = inspectorAt(ISSUE_TS).inspect(PUBLISHER, 0, "stage", "42");
    Inspection account = inspectorAt(ISSUE_TS).inspect(PUBLISHER, 0, "stage", "jane");

    assertThat(wrong.findings()).extracting(f -> f.code().code(), Finding::severity)
        .containsExactly(tuple("channel_differs", Finding.Severity.ERROR), tuple("user_differs", Finding.Severity.ERROR));
    assertThat(right.findings()).isEmpty();
    assertThat(account.findings()).extracting(Finding::message)
        .containsExactly("The token is for RTC user \"42\", not \"jane\".");
  }

  @Test
  void a006TokenForAnotherChannelOrUidFailsItsChecksums() {
    String token = Tokens.token006(CERTIFICATE, "room", "42", ISSUE_TS + 60,
        Map.of(AccessToken.Privileges.kJoinChannel, 0));

    Inspection inspection = inspectorAt(ISSUE_TS).inspect(token, 0, "hall", "42");

    assertThat(inspection.signedWith()).isEqualTo(SignatureMatch.UNCHECKED);
    assertThat(codes(inspection)).containsExactly("channel_differs", "signature_unchecked");
    assertThat(inspection.services().get(0).user()).isEqualTo("42");
    assertThat(inspection.services().get(0).channel()).isNull();
  }

  @Test
  void expiriesInTheWrongUnitAreNamed() {
    String timestampAsLifetime = token007(ISSUE_TS + 3600, rtc("stage", "42", ISSUE_TS + 3600));
    String durationAsTimestamp = Tokens.token006(CERTIFICATE, "room", "42", ISSUE_TS + 86_400,
        Map.of(AccessToken.Privileges.kJoinChannel, 3600));

    Inspection lifetime = inspectorAt(ISSUE_TS).inspect(timestampAsLifetime, 0);
    Inspection duration = inspectorAt(ISSUE_TS).inspect(durationAsTimestamp, 0, "room", "42");

    assertThat(lifetime.expiresAt()).isEqualTo(2L * ISSUE_TS + 3600);
    assertThat(codes(lifetime)).containsExactly("expiry_unit_mixup", "expiry_unit_mixup");
    assertThat(duration.services().get(0).privileges().get(0).expiresAt()).isEqualTo(3600);
    assertThat(duration.findings().get(1).message()).contains("1970-01-01T01:00:00Z");
    assertThat(codes(duration)).as("errors first").containsExactly("expired", "expiry_unit_mixup");
    assertThat(duration.usable()).isFalse();
  }

  @Test
  void aServiceTypeItDoesNotKnowIsShownByNumberAndNamed() {
    AccessToken2.Service unknown = new AccessToken2.Service((short) 6);
    unknown.privileges.put((short) 9, 600);
    String token = token007(600, rtc("stage", "42", 600), unknown, new AccessToken2.ServiceApaas("r", "u", (short) 1));

    Inspection inspection = inspectorAt(ISSUE_TS).inspect(token, 0);

    assertThat(inspection.services()).extracting(InspectedService::type, InspectedService::name)
        .containsExactly(tuple(1, "rtc"), tuple(6, null));
    assertThat(inspection.services().get(1).privileges()).extracting(InspectedPrivilege::id,
        InspectedPrivilege::name, InspectedPrivilege::expiresAt).containsExactly(tuple(9, null, ISSUE_TS + 600L));
    assertThat(inspection.signedWith()).isEqualTo(SignatureMatch.CURRENT);
    assertThat(codes(inspection)).containsExactly("unknown_service");
    assertThat(inspection.findings().get(0).message()).contains("Service type 6", "the 1 services after it");
  }

  @Test
  void aNegativeExpiringWindowIsAProgrammingError() {
    assertThatThrownBy(() -> inspectorAt(ISSUE_TS).inspect(PUBLISHER, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void credentialsAreCheckedWithoutShowingThem() {
    assertThatThrownBy(() -> new TokenInspector(FakeCredentials.CREDENTIALS, "not-a-certificate",
        Tokens.clockAt(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("not-a-certificate");
  }
}
