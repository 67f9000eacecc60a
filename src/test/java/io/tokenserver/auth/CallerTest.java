package io.tokenserver.auth;

import io.tokenserver.token.ChatTokenRequest;
import io.tokenserver.token.RtcRole;
import io.tokenserver.token.RtcTokenRequest;
import io.tokenserver.token.RtcUser;
import io.tokenserver.token.RtmTokenRequest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What each kind of caller may mint, and for how long. */
class CallerTest {

  private static final AccessRules RULES = new AccessRules("sub", null, null);
  private static final long NOW = System.currentTimeMillis() / 1000;

  @Test
  void aJwtCallersTokenEndsNoLaterThanTheJwtByDefault() {
    Caller caller = Caller.jwt("42", Map.of("sub", "42"), RULES, NOW + 300, 0);

    assertThat(caller.limited(new RtmTokenRequest("42", 3600)).expirySeconds()).isBetween(295, 300);
    assertThat(caller.limited(new RtmTokenRequest("42", 60)).expirySeconds()).isEqualTo(60);
    RtcTokenRequest rtc = caller.limited(new RtcTokenRequest("stage", RtcRole.PUBLISHER, new RtcUser.Uid(42), 3600));
    assertThat(rtc.expirySeconds()).isBetween(295, 300);
    assertThat(rtc.channel()).isEqualTo("stage");
    assertThat(rtc.user()).isEqualTo(new RtcUser.Uid(42));
  }

  @Test
  void jwtMaxTokenLifetimeBoundsTheTokenInsteadOfTheJwt() {
    Caller caller = Caller.jwt("42", Map.of("sub", "42"), RULES, NOW + 60, 900);

    assertThat(caller.limited(new RtmTokenRequest("42", 3600)).expirySeconds()).isEqualTo(900);
    assertThat(caller.limited(new RtmTokenRequest("42", 600)).expirySeconds()).isEqualTo(600);
  }

  @Test
  void otherCallersGetTheExpiryTheyAskFor() {
    RtmTokenRequest request = new RtmTokenRequest("42", 86_400);
    assertThat(Caller.apiKey(0).limited(request)).isSameAs(request);
    assertThat(Caller.anonymous("1.2.3.4", false).limited(request)).isSameAs(request);
  }

  @Test
  void chatAppTokensGoToApiKeyCallersOrToAnyoneWhenAllowed() {
    ChatTokenRequest app = ChatTokenRequest.app(3600);

    assertThat(Caller.apiKey(0).denial(app)).isNull();
    assertThat(Caller.anonymous("1.2.3.4", false).denial(app)).contains("CHAT_APP_TOKENS");
    assertThat(Caller.anonymous("1.2.3.4", true).denial(app)).isNull();
    assertThat(Caller.jwt("42", Map.of("sub", "42"), RULES, NOW + 60, 0).denial(app)).isNotNull();
    assertThat(Caller.anonymous("1.2.3.4", false).denial(ChatTokenRequest.user("alice", 60))).isNull();
  }
}
