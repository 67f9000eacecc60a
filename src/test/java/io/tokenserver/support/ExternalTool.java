package io.tokenserver.support;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds a command-line tool (promtool, prometheus) on PATH. Missing on a developer's machine, the test is
 * skipped with a hint; missing in CI ({@code CI=true}), the test fails, because .ci/run installs it.
 */
public final class ExternalTool {

  private ExternalTool() {
  }

  public static Path require(String name, String debianPackage) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    String hint = name + " is not installed (apt-get install " + debianPackage + "; .ci/run does it)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(hint);
    }
    Assumptions.assumeTrue(false, hint);
    return null;
  }
}
