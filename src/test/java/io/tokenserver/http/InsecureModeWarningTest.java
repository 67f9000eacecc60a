package io.tokenserver.http;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.gate.CallerGate;
import io.tokenserver.support.TestConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** AUTH_MODE=none is for loopback and trials: on any other address the gate says so in one WARN line. */
class InsecureModeWarningTest {

  private static String warning(String host, String mode) {
    return CallerGate.insecureModeWarning(ServerConfig.from(TestConfig.values().put("HOST", host)
        .put("AUTH_MODE", mode).put("API_KEYS", "some-key-0123456789abcdef")));
  }

  @Test
  void noAuthenticationOnAPublicAddressWarnsThatAnyoneCanMint() {
    for (String host : new String[] {"0.0.0.0", "::", "10.1.2.3", "token-server.example.com"}) {
      assertThat(warning(host, "none")).as(host).contains("AUTH_MODE=none").contains("anyone")
          .doesNotContain("\n");
    }
  }

  @Test
  void loopbackOrAuthenticatedCallersGiveNoWarning() {
    for (String host : new String[] {"127.0.0.1", "127.0.0.2", "::1", "localhost"}) {
      assertThat(warning(host, "none")).as(host).isNull();
    }
    assertThat(warning("0.0.0.0", "api-key")).isNull();
  }
}
