package io.tokenserver.deploy;

import io.tokenserver.support.ExternalTool;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The CI and load-test shell scripts pass shellcheck (Debian package shellcheck), style notes included. */
class ShellCheckTest {

  @Test
  void ciAndLoadTestScriptsAreShellcheckClean() throws Exception {
    Path shellcheck = ExternalTool.require("shellcheck", "shellcheck");
    List<String> scripts = scripts();
    assertThat(scripts).contains(".ci/run", ".ci/container-image.sh", ".ci/debian-mirror.sh", "gatling/smoke.sh",
        "gatling/wrk/run.sh");

    List<String> command = new ArrayList<>(List.of(shellcheck.toString()));
    command.addAll(scripts);
    Process lint = new ProcessBuilder(command).redirectErrorStream(true).start();
    String report = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(lint.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(lint.exitValue()).as("shellcheck says:\n" + report).isZero();
  }

  /** .ci/run, .ci/*.sh, src/main/docker/*.sh and every *.sh under gatling/. */
  private static List<String> scripts() throws Exception {
    List<String> scripts = new ArrayList<>(List.of(".ci/run"));
    for (Path dir : List.of(Path.of(".ci"), Path.of("src/main/docker"), Path.of("gatling"))) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.filter(file -> file.toString().endsWith(".sh") && Files.isRegularFile(file))
            .filter(file -> !file.startsWith("gatling/target"))
            .map(Path::toString).sorted().forEach(scripts::add);
      }
    }
    return scripts;
  }
}
