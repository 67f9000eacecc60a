package io.tokenserver.config;

import io.tokenserver.support.TestConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerConfigTest {

  @Test
  void shippedDefaultsWithCredentialsMakeAValidConfig() {
    ServerConfig config = ServerConfig.from(TestConfig.values().put("PORT", 8080).put("MANAGEMENT_PORT", 8081)
        .putNull("EVENT_LOOPS").putNull("SIGNING_POOL_SIZE"));
    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.managementPort()).isEqualTo(8081);
    assertThat(config.defaultExpirySeconds()).isEqualTo(3600);
    assertThat(config.maxExpirySeconds()).isEqualTo(86400);
    assertThat(config.signingMaxPending()).isEqualTo(10_000);
    assertThat(config.corsAllowOrigins()).containsExactly("*");
    assertThat(config.eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(config.signingPoolSize()).isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @ParameterizedTest(name = "{0}={1} -> {2}")
  @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
      APP_ID               | NULL                              | APP_ID is missing
      APP_ID               | 970ca35de60c44645bbae8a215061b3   | APP_ID must be 32 hexadecimal characters
      APP_ID               | 970ca35de60c44645bbae8a215061b3g  | APP_ID must be 32 hexadecimal characters
      APP_CERTIFICATE      | ''                                | APP_CERTIFICATE is missing
      APP_CERTIFICATE      | not-a-certificate                 | APP_CERTIFICATE must be 32 hexadecimal characters
      PORT                 | 70000                             | PORT must be a whole number from 0 to 65535
      PORT                 | http                              | PORT must be a whole number from 0 to 65535
      TOKEN_MAX_EXPIRY     | 90000                             | TOKEN_MAX_EXPIRY must be a whole number from 1 to 86400
      TOKEN_DEFAULT_EXPIRY | 86401                             | TOKEN_DEFAULT_EXPIRY must be a whole number from 1 to 86400
      SIGNING_MAX_PENDING  | 0                                 | SIGNING_MAX_PENDING must be a whole number from 1 to 10000000
      EVENT_LOOPS          | -2                                | EVENT_LOOPS must be a whole number from 1 to 1024
      ACCESS_LOG           | maybe                             | ACCESS_LOG must be true or false
      DRAIN_DELAY_SECONDS  | -1                                | DRAIN_DELAY_SECONDS must be a whole number from 0 to 3600
      DRAIN_DELAY_SECONDS  | 3601                              | DRAIN_DELAY_SECONDS must be a whole number from 0 to 3600
      DRAIN_DELAY_SECONDS  | ''                                | DRAIN_DELAY_SECONDS is missing
      """)
  void invalidValueFailsWithOneLineNamingTheKey(String key, String value, String message) {
    JsonObject values = TestConfig.values().put(key, value);
    assertThatThrownBy(() -> ServerConfig.from(values))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @Test
  void aDrainKeepsAnsweringFiveSecondsByDefault() {
    ServerConfig config = ServerConfig.from(TestConfig.values()
        .put("DRAIN_DELAY_SECONDS", ServerConfig.shippedDefaults().getValue("DRAIN_DELAY_SECONDS")));
    assertThat(config.drainDelay()).hasSeconds(5);
    assertThat(ServerConfig.from(TestConfig.values().put("DRAIN_DELAY_SECONDS", "0")).drainDelay()).isZero();
  }

  @ParameterizedTest(name = "MANAGEMENT_HOST={0} -> {1}")
  @CsvSource(nullValues = "NULL", textBlock = """
      NULL,        127.0.0.1
      '',          127.0.0.1
      '   ',       127.0.0.1
      10.0.0.7,    10.0.0.7
      ' ::1 ',     ::1
      """)
  void managementHostDefaultsToHost(String managementHost, String expected) {
    JsonObject values = TestConfig.values().put("HOST", "127.0.0.1").put("MANAGEMENT_HOST", managementHost);
    ServerConfig config = ServerConfig.from(values);
    assertThat(config.managementHost()).isEqualTo(expected);
    assertThat(config.host()).isEqualTo("127.0.0.1");
  }

  @Test
  void defaultExpiryMayNotExceedTheConfiguredMaximum() {
    assertThatThrownBy(() -> ServerConfig.from(TestConfig.values().put("TOKEN_MAX_EXPIRY", 600)))
        .hasMessage("TOKEN_DEFAULT_EXPIRY must be a whole number from 1 to 600");
  }

  @Test
  void aCopyChangesOnlyTheValuesItNames() {
    ServerConfig config = ServerConfig.from(TestConfig.values().put("TOKEN_DEFAULT_EXPIRY", 600).put("ACCESS_LOG", true));
    ServerConfig copy = config.toBuilder().port(0).eventLoops(1).build();
    assertThat(copy.port()).isZero();
    assertThat(copy.eventLoops()).isEqualTo(1);
    assertThat(copy.toBuilder().port(config.port()).eventLoops(config.eventLoops()).build()).isEqualTo(config);
    assertThat(copy.defaultExpirySeconds()).isEqualTo(600);
    assertThat(copy.accessLog()).isTrue();
  }

  @Test
  void portZeroAsksForAFreePort() {
    ServerConfig config = ServerConfig.from(TestConfig.values().put("PORT", 0).put("MANAGEMENT_PORT", "0"));
    assertThat(config.port()).isZero();
    assertThat(config.managementPort()).isZero();
    assertThatThrownBy(() -> ServerConfig.from(TestConfig.values().put("MANAGEMENT_PORT", -1)))
        .hasMessage("MANAGEMENT_PORT must be a whole number from 0 to 65535");
  }

  @Test
  void toStringNeverShowsTheCertificate() {
    ServerConfig config = TestConfig.config();
    assertThat(config.toString()).doesNotContain(config.appCertificate()).contains(config.appId());
  }

  @Test
  void corsAllowOriginNoneAllowsNoOrigin() {
    assertThat(ServerConfig.from(TestConfig.values().put("CORS_ALLOW_ORIGIN", "none")).corsAllowOrigins()).isEmpty();
    assertThat(ServerConfig.from(TestConfig.values().put("CORS_ALLOW_ORIGIN", " NONE ")).corsAllowOrigins()).isEmpty();
    assertThatThrownBy(() -> ServerConfig.from(TestConfig.values()
        .put("CORS_ALLOW_ORIGIN", "none, https://app.example.com")))
        .isInstanceOf(ConfigException.class).hasMessage("CORS_ALLOW_ORIGIN must be none alone, without origins");
  }

  @Test
  void corsAllowOriginPlaceholderStopsStartUpWithOneLine() {
    assertThatThrownBy(() -> ServerConfig.from(TestConfig.values()
        .put("CORS_ALLOW_ORIGIN", "REPLACE-ME with your web app's origins or none")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("CORS_ALLOW_ORIGIN is a placeholder (REPLACE-ME): set it to your web app's origins, or none");
    assertThatThrownBy(() -> ServerConfig.from(TestConfig.values()
        .put("CORS_ALLOW_ORIGIN", "https://app.example.com,REPLACE-ME")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("CORS_ALLOW_ORIGIN is a placeholder");
  }
}
