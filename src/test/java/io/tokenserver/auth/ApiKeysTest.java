package io.tokenserver.auth;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ApiKeysTest {

  private final ApiKeys keys = new ApiKeys(List.of("first-key-0123456789", "second-key-0123456789"));

  @Test
  void eachConfiguredKeyHasItsOwnStableCallerIdThatIsNotTheKey() {
    String first = keys.callerId("first-key-0123456789");
    String second = keys.callerId("second-key-0123456789");
    assertThat(first).isNotNull().hasSize(12).isNotEqualTo(second).doesNotContain("first");
    // Removing or adding other keys leaves a key's id, and so its rate-limit bucket, as it was.
    assertThat(new ApiKeys(List.of("second-key-0123456789")).callerId("second-key-0123456789")).isEqualTo(second);
  }

  @Test
  void anythingElseIsNotAKey() {
    assertThat(keys.callerId(null)).isNull();
    assertThat(keys.callerId("")).isNull();
    assertThat(keys.callerId("first-key-012345678")).as("a prefix").isNull();
    assertThat(keys.callerId("first-key-01234567890")).as("a longer value").isNull();
    assertThat(keys.callerId("FIRST-KEY-0123456789")).as("case matters").isNull();
  }

  @Test
  void itsDescriptionNeverShowsAKey() {
    assertThat(keys.toString()).doesNotContain("first-key").contains("2 keys");
  }
}
