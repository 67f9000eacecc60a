package io.tokenserver.token;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Agora's input rules, without a server. */
class InputRulesTest {

  @Test
  void channelAcceptsTheWholeAllowedSetUpTo63Bytes() {
    String everything = "abcxyzABCXYZ0189" + InputRules.ALLOWED_SPECIALS;
    assertThat(InputRules.channel(everything)).isEqualTo(everything);
    assertThat(InputRules.channel("c".repeat(63))).hasSize(63);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a*b", "a/b", "a\\b", "a'b", "a\"b", "a`b", "caf\u00e9", "a\tb", "a\u0000b"})
  void channelRejectsOtherCharactersAndEmptiness(String channel) {
    assertThatThrownBy(() -> InputRules.channel(channel))
        .isInstanceOf(InvalidTokenRequestException.class)
        .hasMessageStartingWith("channel must be 1-63 bytes of");
  }

  @Test
  void channelRejects64Bytes() {
    assertThatThrownBy(() -> InputRules.channel("c".repeat(64))).hasMessageStartingWith("channel must be 1-63 bytes");
  }

  @Test
  void uidCoversTheUnsignedRangeAndNeverTruncates() {
    assertThat(InputRules.uid("uid", "0").tokenValue()).isEmpty();
    assertThat(InputRules.uid("uid", "4294967295").tokenValue()).isEqualTo("4294967295");
    for (String bad : new String[] {"4294967296", "-1", "+1", "1e3", "0x10", " 1", "", "12345678901"}) {
      assertThatThrownBy(() -> InputRules.uid("uid", bad)).as(bad)
          .hasMessage("uid must be an integer from 0 to 4294967295");
    }
  }

  @Test
  void userIdCountsUtf8BytesAndRefusesControlCharacters() {
    assertThat(InputRules.userId("uid", "\u00e9".repeat(32))).hasSize(32);
    assertThatThrownBy(() -> InputRules.userId("uid", "\u00e9".repeat(32) + "x")).hasMessage("uid must be at most 64 bytes");
    assertThat(InputRules.userId("uid", "\uD83D\uDE00")).isEqualTo("\uD83D\uDE00");
    assertThatThrownBy(() -> InputRules.userId("uid", "a\uD83Db")).hasMessageContaining("valid UTF-8");
    assertThatThrownBy(() -> InputRules.userId("uid", "a\u007fb")).hasMessageContaining("control");
    assertThatThrownBy(() -> InputRules.userId("uid", "")).hasMessage("uid must not be empty");
  }

  @Test
  void rtcUserFollowsTheTokenType() {
    assertThat(InputRules.rtcUser("uid", "12")).isEqualTo(new RtcUser.Uid(12));
    assertThat(InputRules.rtcUser("userAccount", "12")).isEqualTo(new RtcUser.Account("12"));
    assertThatThrownBy(() -> InputRules.rtcUser("account", "12")).hasMessage("tokentype must be uid or userAccount");
  }

  @Test
  void expiryPolicyAppliesDefaultAndBounds() {
    ExpiryPolicy policy = new ExpiryPolicy(3600, 86400);
    assertThat(policy.parse("expiry", null)).isEqualTo(3600);
    assertThat(policy.parse("expiry", "")).isEqualTo(3600);
    assertThat(policy.parse("expiry", "1")).isEqualTo(1);
    assertThat(policy.parse("expiry", "86400")).isEqualTo(86400);
    assertThatThrownBy(() -> policy.parse("expiry", "86401")).hasMessage("expiry must be at most 86400 seconds");
    assertThatThrownBy(() -> policy.parse("expiry", "0")).hasMessage("expiry must be at least 1 second");
    assertThatThrownBy(() -> policy.parse("expire", "1.5"))
        .hasMessage("expire must be a whole number of seconds from 1 to 86400");
  }

  @Test
  void aUidWithLeadingZerosIsNotUidZero() {
    assertThat(InputRules.uid("uid", "0")).isEqualTo(new RtcUser.Uid(0));
    assertThat(InputRules.uid("uid", "10")).isEqualTo(new RtcUser.Uid(10));
    for (String padded : new String[] {"00", "007", "0000000001"}) {
      assertThatThrownBy(() -> InputRules.uid("uid", padded)).as(padded)
          .hasMessage("uid must be an integer from 0 to 4294967295");
    }
  }

  @Test
  void userIdsRefuseInvalidUtf8AndBidirectionalControls() {
    assertThat(InputRules.userId("uid", "caf\u00e9")).isEqualTo("caf\u00e9");
    for (String bad : new String[] {"a\uFFFDb", "admin\u202Enimda", "a\u2066b", "a\u200Fb", "a\u061Cb"}) {
      assertThatThrownBy(() -> InputRules.rtmUserId("uid", bad)).as(bad).hasMessageContaining("bidirectional");
    }
  }
}
