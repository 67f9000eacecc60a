package io.tokenserver.deploy;

import io.tokenserver.support.ExternalTool;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The manifests pass yamllint (Debian package yamllint) with the checked-in config, warnings included. */
class YamlLintTest {

  @Test
  void manifestsAreYamllintClean() throws Exception {
    Path yamllint = ExternalTool.require("yamllint", "yamllint");
    Process lint = new ProcessBuilder(yamllint.toString(), "-s", "-c", "k8s/.yamllint.yaml", "k8s")
        .redirectErrorStream(true).start();
    String report = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(lint.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(lint.exitValue()).as("yamllint says:\n" + report).isZero();
  }
}
