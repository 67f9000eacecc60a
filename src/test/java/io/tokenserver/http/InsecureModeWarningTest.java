package io.tokenserver.http;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.gate.CallerGate;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.ServerProcess;
import io.tokenserver.support.TestConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

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

  /** Logged once by the server, not again by the warm-up's own gate. */
  @Test
  void theServerLogsTheWarningOnceWarmUpIncluded() {
    Map<String, String> env = Map.of("APP_ID", FakeCredentials.APP_ID, "APP_CERTIFICATE", FakeCredentials.APP_CERTIFICATE,
        "HOST", "0.0.0.0", "PORT", "0", "MANAGEMENT_HOST", "127.0.0.1", "MANAGEMENT_PORT", "0", "WARMUP_SECONDS", "1");
    try (ServerProcess process = ServerProcess.start(env, Map.of())) {
      process.awaitReady(60_000);
      assertThat(process.output().lines().filter(line -> line.contains("AUTH_MODE=none on HOST=0.0.0.0")))
          .hasSize(1);
    }
  }
}
