package io.tokenserver.auth;

import org.junit.jupiter.api.Test;

import io.tokenserver.config.AuthConfig;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ApiKeysTest {

  private final ApiKeys keys = new ApiKeys(List.of(key("first-key-0123456789"), key("second-key-0123456789")));

  private static AuthConfig.ApiKey key(String key) {
    return new AuthConfig.ApiKey(key, Set.of());
  }

  private String id(String presented) {
    Caller caller = keys.caller(presented);
    return caller == null ? null : caller.rateLimitKey();
  }

  @Test
  void eachConfiguredKeyHasItsOwnStableCallerIdThatIsNotTheKey() {
    String first = id("first-key-0123456789");
    String second = id("second-key-0123456789");
    assertThat(first).isNotNull().hasSize(16).startsWith("key:").isNotEqualTo(second).doesNotContain("first");
    // Removing or adding other keys leaves a key's id, and so its rate-limit bucket, as it was.
    assertThat(new ApiKeys(List.of(key("second-key-0123456789"))).caller("second-key-0123456789").rateLimitKey())
        .isEqualTo(second);
  }

  @Test
  void anythingElseIsNotAKey() {
    assertThat(id(null)).isNull();
    assertThat(id("")).isNull();
    assertThat(id("first-key-012345678")).as("a prefix").isNull();
    assertThat(id("first-key-01234567890")).as("a longer value").isNull();
    assertThat(id("FIRST-KEY-0123456789")).as("case matters").isNull();
  }

  @Test
  void aKeyCarriesTheProjectsItIsBoundTo() {
    ApiKeys bound = new ApiKeys(List.of(new AuthConfig.ApiKey("eu-key-0123456789abcdef", Set.of("eu"))));
    Caller caller = bound.caller("eu-key-0123456789abcdef");
    assertThat(caller.mayUse("eu")).isTrue();
    assertThat(caller.mayUse("us")).isFalse();
  }

  @Test
  void itsDescriptionNeverShowsAKey() {
    assertThat(keys.toString()).doesNotContain("first-key").contains("2 keys");
  }
}
