package io.tokenserver.auth;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ApiKeysTest {

  private final ApiKeys keys = new ApiKeys(List.of("first-key-0123456789", "second-key-0123456789"));

  @Test
  void aConfiguredKeyIsFoundByItsIndex() {
    assertThat(keys.indexOf("first-key-0123456789")).isZero();
    assertThat(keys.indexOf("second-key-0123456789")).isEqualTo(1);
  }

  @Test
  void anythingElseIsNotAKey() {
    assertThat(keys.indexOf(null)).isEqualTo(-1);
    assertThat(keys.indexOf("")).isEqualTo(-1);
    assertThat(keys.indexOf("first-key-012345678")).as("a prefix").isEqualTo(-1);
    assertThat(keys.indexOf("first-key-01234567890")).as("a longer value").isEqualTo(-1);
    assertThat(keys.indexOf("FIRST-KEY-0123456789")).as("case matters").isEqualTo(-1);
  }

  @Test
  void itsDescriptionNeverShowsAKey() {
    assertThat(keys.toString()).doesNotContain("first-key").contains("2 keys");
  }
}
