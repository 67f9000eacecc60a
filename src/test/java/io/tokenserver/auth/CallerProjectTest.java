package io.tokenserver.auth;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The one rule for the project a request signs for and is rate-limited under. */
class CallerProjectTest {

  private static final Set<String> CONFIGURED = Set.of("default", "eu", "us");

  @Test
  void aConfiguredProjectTheRequestNamesIsTheOne() {
    assertThat(Caller.apiKey("k", null).project("eu", CONFIGURED, "default")).isEqualTo("eu");
    // Whether this caller may use it is checked afterwards (403), not hidden by a fallback.
    assertThat(Caller.apiKey("k", Set.of("us")).project("eu", CONFIGURED, "default")).isEqualTo("eu");
  }

  @Test
  void otherwiseTheCallersOnlyProjectElseTheDefault() {
    assertThat(Caller.apiKey("k", Set.of("us")).project(null, CONFIGURED, "default")).isEqualTo("us");
    assertThat(Caller.apiKey("k", Set.of("us", "eu")).project(null, CONFIGURED, "default")).isEqualTo("default");
    assertThat(Caller.apiKey("k", null).project(null, CONFIGURED, "default")).isEqualTo("default");
    assertThat(Caller.anonymous("1.2.3.4", false).project(null, CONFIGURED, null)).isNull();
    Caller jwt = Caller.jwt("42", Map.of("sub", "42"), new AccessRules("sub", null, null), 2_000, 0, 1_000,
        Set.of("eu"));
    assertThat(jwt.project(null, CONFIGURED, "default")).isEqualTo("eu");
  }

  @Test
  void aNameTheClientMadeUpIsNeverTheProject() {
    assertThat(Caller.apiKey("k", Set.of("us")).project("made-up", CONFIGURED, "default")).isEqualTo("us");
    assertThat(Caller.apiKey("k", null).project("made-up", CONFIGURED, "default")).isEqualTo("default");
  }
}
