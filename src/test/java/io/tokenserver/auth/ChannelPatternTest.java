package io.tokenserver.auth;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ChannelPatternTest {

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource({
      "*, anything, true",
      "*, '', true",
      "lobby, lobby, true",
      "lobby, lobby2, false",
      "lobby, lobb, false",
      "team-*, team-, true",
      "team-*, team-blue, true",
      "team-*, teamblue, false",
      "*-live, show-live, true",
      "*-live, show-live2, false",
      "a*b*c, axxbyyc, true",
      "a*b*c, axxbyy, false",
      "**, x, true",
      "a?c, abc, false",
      "room.1, roomx1, false",
  })
  void starMatchesAnyRunAndEverythingElseLiterally(String pattern, String channel, boolean matches) {
    assertThat(ChannelPattern.matches(pattern, channel)).isEqualTo(matches);
  }

  @org.junit.jupiter.api.Test
  void manyStarsDoNotBacktrackExponentially() {
    String pattern = "*a".repeat(30) + "b";
    long start = System.nanoTime();
    assertThat(ChannelPattern.matches(pattern, "a".repeat(63))).isFalse();
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(100);
  }
}
