package io.tokenserver.token;

import io.tokenserver.config.ConfigException;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.TestConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** App ids and certificates are 32 ASCII hex characters, nothing that merely counts as a digit elsewhere. */
class AppCredentialsTest {

  @Test
  void asciiHexInEitherCaseIsACredential() {
    assertThat(AppCredentials.isHex32("0123456789abcdefABCDEF0123456789")).isTrue();
  }

  @Test
  void unicodeDigitsAreNot() {
    String fullwidth = "\uFF10".repeat(32);
    String arabicIndic = "\u0660".repeat(32);
    String fullwidthLetter = "\uFF41" + "0".repeat(31);
    for (String value : new String[] {fullwidth, arabicIndic, fullwidthLetter}) {
      assertThat(AppCredentials.isHex32(value)).as(value).isFalse();
    }
    assertThat(AppCredentials.isHex32("g" + "0".repeat(31))).isFalse();
    assertThat(AppCredentials.isHex32("0".repeat(31))).isFalse();
  }

  @Test
  void theServerRefusesToStartWithFullwidthCredentials() {
    assertThatThrownBy(() -> ServerConfig.from(TestConfig.values().put("APP_CERTIFICATE", "\uFF10".repeat(32))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("APP_CERTIFICATE must be 32 hexadecimal characters");
  }
}
