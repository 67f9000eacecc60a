package io.tokenserver.auth;

import io.tokenserver.token.ChatTokenRequest;
import io.tokenserver.token.RtcTokenRequest;
import io.tokenserver.token.RtcUser;
import io.tokenserver.token.RtmTokenRequest;
import io.tokenserver.token.TokenRequest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What each kind of caller may mint, and for how long. */
class CallerTest {

  private static final AccessRules RULES = new AccessRules("sub", null, null);
  /** A fixed clock: the bounds below are exact. */
  private static final long NOW = 1_800_000_000L;

  private static Caller jwt(long secondsLeft, int maxLifetime) {
    return Caller.jwt("42", Map.of("sub", "42"), RULES, NOW + secondsLeft, maxLifetime, NOW, null);
  }

  @Test
  void aJwtCallersTokenEndsNoLaterThanTheJwtByDefault() {
    Caller caller = jwt(300, 0);

    assertThat(caller.limited(new RtmTokenRequest("42", 3600)).expirySeconds()).isEqualTo(300);
    assertThat(caller.limited(new RtmTokenRequest("42", 60)).expirySeconds()).isEqualTo(60);
    TokenRequest rtc = caller.limited(new RtcTokenRequest("stage", RtcTokenRequest.Role.PUBLISHER, new RtcUser.Uid(42), 3600));
    assertThat(rtc).isEqualTo(new RtcTokenRequest("stage", RtcTokenRequest.Role.PUBLISHER, new RtcUser.Uid(42), 300));
  }

  @Test
  void jwtMaxTokenLifetimeOnlyShortensTheToken() {
    assertThat(jwt(3600, 900).limited(new RtmTokenRequest("42", 3600)).expirySeconds()).isEqualTo(900);
    assertThat(jwt(3600, 900).limited(new RtmTokenRequest("42", 600)).expirySeconds()).isEqualTo(600);
    // A JWT with 60 s left never yields a longer token, whatever the maximum.
    assertThat(jwt(60, 600).limited(new RtmTokenRequest("42", 3600)).expirySeconds()).isEqualTo(60);
  }

  @Test
  void shorteningKeepsEveryOtherFieldOfTheRequest() {
    RtmTokenRequest withStream = new RtmTokenRequest("42", 3600, "team-a");

    assertThat(jwt(300, 0).limited(withStream)).isEqualTo(new RtmTokenRequest("42", 300, "team-a"));
    assertThat(jwt(300, 0).limited(ChatTokenRequest.user("42", 3600))).isEqualTo(ChatTokenRequest.user("42", 300));
  }

  @Test
  void otherCallersGetTheExpiryTheyAskFor() {
    RtmTokenRequest request = new RtmTokenRequest("42", 86_400);
    assertThat(Caller.apiKey("0", null).limited(request)).isSameAs(request);
    assertThat(Caller.anonymous("1.2.3.4", false).limited(request)).isSameAs(request);
  }

  @Test
  void chatAppTokensGoToApiKeyCallersOrToAnyoneWhenAllowed() {
    ChatTokenRequest app = ChatTokenRequest.app(3600);

    assertThat(Caller.apiKey("0", null).denial(app)).isNull();
    assertThat(Caller.anonymous("1.2.3.4", false).denial(app)).contains("CHAT_APP_TOKENS");
    assertThat(Caller.anonymous("1.2.3.4", true).denial(app)).isNull();
    assertThat(jwt(60, 0).denial(app)).isNotNull();
    assertThat(Caller.anonymous("1.2.3.4", false).denial(ChatTokenRequest.user("alice", 60))).isNull();
  }
}
