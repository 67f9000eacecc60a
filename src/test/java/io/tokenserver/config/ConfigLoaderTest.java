package io.tokenserver.config;

import io.tokenserver.support.VertxInstances;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Layers in one JVM: defaults file < CONFIG_FILE < system properties (the environment is in StartupProcessTest). */
class ConfigLoaderTest {

  private static final List<String> TOUCHED = List.of("CONFIG_FILE", "APP_ID", "APP_CERTIFICATE", "PORT",
      "SERVER_PORT", "TOKEN_DEFAULT_EXPIRY", "DEMO");

  @AfterEach
  void clear() {
    TOUCHED.forEach(System::clearProperty);
  }

  private ServerConfig load(boolean demo) {
    return ConfigLoader.load(demo);
  }

  private static void credentials() {
    System.setProperty("APP_ID", "970ca35de60c44645bbae8a215061b33");
    System.setProperty("APP_CERTIFICATE", "5cfd2fd1755d40ecb72977518be15d3b");
  }

  @Test
  void shippedDefaultsApplyWhenNothingElseIsSet() throws Exception {
    credentials();
    ServerConfig config = load(false);
    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.defaultExpirySeconds()).isEqualTo(3600);
    assertThat(config.demo()).isFalse();
  }

  /** The server's one Vert.x is built from the config, so loading it builds none. */
  @Test
  void loadingBuildsNoVertx(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("layer.json"), "{\"PORT\": 9100}");
    credentials();
    System.setProperty("CONFIG_FILE", file.toString());
    int before = VertxInstances.built();
    assertThat(load(false).port()).isEqualTo(9100);
    assertThat(VertxInstances.built()).isEqualTo(before);
  }

  @Test
  void configFileOverridesDefaultsAndSystemPropertiesOverrideTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("override.json");
    Files.writeString(file, "{\"PORT\": 9100, \"TOKEN_DEFAULT_EXPIRY\": 100}");
    credentials();
    System.setProperty("CONFIG_FILE", file.toString());
    System.setProperty("TOKEN_DEFAULT_EXPIRY", "300");
    ServerConfig config = load(false);
    assertThat(config.port()).as("from CONFIG_FILE").isEqualTo(9100);
    assertThat(config.defaultExpirySeconds()).as("sysprop beats CONFIG_FILE").isEqualTo(300);
  }

  @Test
  void serverPortIsAnAliasThatBeatsLowerLayersPort(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("override.json");
    Files.writeString(file, "{\"PORT\": 9100}");
    credentials();
    System.setProperty("CONFIG_FILE", file.toString());
    System.setProperty("SERVER_PORT", "9200");
    assertThat(load(false).port()).isEqualTo(9200);
  }

  @Test
  void secretsAreReadAsRawStrings() throws Exception {
    // An all-digit id must not become a number (and lose leading zeros) on the way in.
    System.setProperty("APP_ID", "00000000000000000000000000000001");
    System.setProperty("APP_CERTIFICATE", "10000000000000000000000000000000");
    ServerConfig config = load(false);
    assertThat(config.appId()).isEqualTo("00000000000000000000000000000001");
    assertThat(config.appCertificate()).isEqualTo("10000000000000000000000000000000");
  }

  @Test
  void missingConfigFileFailsNamingIt() {
    credentials();
    System.setProperty("CONFIG_FILE", "/nonexistent/config.json");
    assertThatThrownBy(() -> load(false)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("/nonexistent/config.json cannot be read");
  }

  @Test
  void aConfigFileThatFailsToParseIsNamedWithoutEchoingItsContent(@TempDir Path dir) throws Exception {
    credentials();
    Path file = Files.writeString(dir.resolve("broken.json"), "{\n  \"JWT_SECRET\": s3cr3tValueThatMustNotLeak\n}");
    System.setProperty("CONFIG_FILE", file.toString());

    assertThatThrownBy(() -> load(false)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + " is not valid JSON (line 2")
        .message().doesNotContain("s3cr3t");
  }

  @Test
  void demoModeGeneratesADistinctRandomPair() throws Exception {
    ServerConfig first = load(true);
    ServerConfig second = load(true);
    assertThat(first.demo()).isTrue();
    assertThat(first.appId()).matches("[0-9a-f]{32}").isNotEqualTo(second.appId());
    assertThat(first.appCertificate()).matches("[0-9a-f]{32}").isNotEqualTo(first.appId());
  }

  @Test
  void demoModeKeepsGivenCredentialsAndIsThenNoDemo() throws Exception {
    credentials();
    System.setProperty("DEMO", "true");
    ServerConfig config = load(false);
    assertThat(config.demo()).as("real credentials: no demo warning").isFalse();
    assertThat(config.appId()).isEqualTo("970ca35de60c44645bbae8a215061b33");
  }
}
