package io.tokenserver.config;

import io.tokenserver.support.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimitConfigTest {

  private static RateLimitConfig redis(String... keyValues) {
    var values = TestConfig.values().put("RATE_LIMIT_PER_SECOND", 5).put("RATE_LIMIT_BACKEND", "redis");
    for (int i = 0; i < keyValues.length; i += 2) {
      values.put(keyValues[i], keyValues[i + 1]);
    }
    return ServerConfig.from(values).rateLimit();
  }

  @Test
  void theShippedDefaultIsTheLocalBackend() {
    RateLimitConfig config = TestConfig.config().rateLimit();
    assertThat(config.backend()).isEqualTo(RateLimitConfig.Backend.LOCAL);
    assertThat(config.redis()).isNull();
  }

  @Test
  void redisSettingsHaveSafeDefaults() {
    RateLimitConfig.Redis redis = redis("REDIS_URL", "rediss://redis.example:6380").redis();
    assertThat(redis.url()).isEqualTo("rediss://redis.example:6380");
    assertThat(redis.timeout()).isEqualTo(Duration.ofMillis(50));
    assertThat(redis.onFailure()).isEqualTo(RateLimitConfig.RedisFailure.LOCAL);
    assertThat(redis.keyPrefix()).isEqualTo("token-server:rate:");
    assertThat(redis.password()).isNull();
  }

  @Test
  void theRedisBackendNeedsAUrl() {
    assertThatThrownBy(() -> redis())
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("REDIS_URL is missing");
  }

  @Test
  void aBadUrlIsRefusedWithoutRepeatingIt() {
    assertThatThrownBy(() -> redis("REDIS_URL", "http://:s3cret-password@redis.example"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("redis:// or rediss://")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> redis("REDIS_URL", "redis://:s3cret password@"))
        .isInstanceOf(ConfigException.class)
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void thePasswordComesFromItsFileAndIsNeverPrinted(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("password"), "s3cret-password\n");
    RateLimitConfig.Redis redis = redis("REDIS_URL", "redis://:url-password@redis.example:6379",
        "REDIS_PASSWORD_FILE", file.toString()).redis();
    assertThat(redis.password()).isEqualTo("s3cret-password");
    assertThat(redis.toString()).doesNotContain("s3cret").doesNotContain("url-password");
  }

  @Test
  void unknownBackendsAndPoliciesAreRefused() {
    assertThatThrownBy(() -> ServerConfig.from(TestConfig.values().put("RATE_LIMIT_BACKEND", "memcached")))
        .isInstanceOf(ConfigException.class).hasMessage("RATE_LIMIT_BACKEND must be local or redis");
    assertThatThrownBy(() -> redis("REDIS_URL", "redis://r:6379", "RATE_LIMIT_REDIS_FAILURE", "open"))
        .isInstanceOf(ConfigException.class).hasMessage("RATE_LIMIT_REDIS_FAILURE must be local or deny");
    assertThatThrownBy(() -> redis("REDIS_URL", "redis://r:6379", "RATE_LIMIT_REDIS_TIMEOUT_MS", "0"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("RATE_LIMIT_REDIS_TIMEOUT_MS");
  }

  @Test
  void trustedProxiesNoneBelievesNoProxyLikeUnset() {
    RateLimitConfig none = ServerConfig.from(TestConfig.values().put("TRUSTED_PROXIES", "none")).rateLimit();
    RateLimitConfig listed = ServerConfig.from(TestConfig.values().put("TRUSTED_PROXIES", "10.0.0.0/8")).rateLimit();

    assertThat(none.trustedProxies().isEmpty()).isTrue();
    assertThat(none.trustedProxies().trusts("10.1.2.3")).isFalse();
    assertThat(TestConfig.config().rateLimit().trustedProxies().isEmpty()).as("unset").isTrue();
    assertThat(listed.trustedProxies().trusts("10.1.2.3")).isTrue();
    assertThatThrownBy(() -> ServerConfig.from(TestConfig.values().put("TRUSTED_PROXIES", "none,10.0.0.1")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("TRUSTED_PROXIES must be none or ");
  }

  @Test
  void trustedProxiesPlaceholderStopsStartUpWithOneLine() {
    assertThatThrownBy(() -> ServerConfig.from(TestConfig.values()
        .put("TRUSTED_PROXIES", "REPLACE-ME with your load balancer's addresses or none")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("TRUSTED_PROXIES is a placeholder (REPLACE-ME): set it to your load balancer's addresses, or none");
    assertThatThrownBy(() -> ServerConfig.from(TestConfig.values().put("TRUSTED_PROXIES", "10.0.0.1,REPLACE-ME")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("TRUSTED_PROXIES is a placeholder");
  }
}
