package io.tokenserver.metrics;

import io.tokenserver.support.ExternalTool;
import io.tokenserver.support.RunningServer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The exposition passes the real {@code promtool check metrics} (Debian package prometheus). */
class PromtoolCheckTest {

  @Test
  void scrapeIsValidForPromtool() throws Exception {
    Path promtool = ExternalTool.require("promtool", "prometheus");
    try (RunningServer server = RunningServer.start()) {
      assertThat(server.get("/rtc/c/publisher/uid/1").statusCode()).isEqualTo(200);
      assertThat(server.get("/rtc/c/nobody/uid/1").statusCode()).isEqualTo(400);
      String exposition = server.management("/metrics").bodyAsString();

      Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
      check.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
      check.getOutputStream().close();
      String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(check.exitValue()).as("promtool check metrics says:\n" + report).isZero();
      assertThat(report).as("promtool findings").isBlank();
    }
  }
}
