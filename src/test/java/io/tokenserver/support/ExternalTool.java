package io.tokenserver.support;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds a command-line tool (promtool, prometheus, yamllint, kubectl...) on PATH or in the sbin directories. When it is missing the test is
 * skipped with a hint, unless {@code REQUIRE_EXTERNAL_TOOLS=true} (set by .ci/run, which installs the tools):
 * then it fails. Not {@code CI}: GitHub Actions and GitLab set that for every job, also in users' forks.
 */
public final class ExternalTool {

  public static final String SWITCH = "REQUIRE_EXTERNAL_TOOLS";

  private ExternalTool() {
  }

  /** A tool that Debian ships in {@code debianPackage}. */
  public static Path require(String name, String debianPackage) {
    return requireWithHint(name, "apt-get install " + debianPackage);
  }

  /** A tool installed some other way; {@code howToInstall} is shown when it is missing. */
  public static Path requireWithHint(String name, String howToInstall) {
    // Debian puts daemons (haproxy, redis-server...) in the sbin directories, which a user's PATH may lack.
    String path = java.util.Objects.requireNonNullElse(System.getenv("PATH"), "") + File.pathSeparator + "/usr/sbin" + File.pathSeparator + "/sbin";
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    String missing = name + " is not on PATH (" + howToInstall + ")";
    if ("true".equalsIgnoreCase(System.getenv(SWITCH))) {
      throw new AssertionError(missing + "; " + SWITCH + "=true requires it");
    }
    Assumptions.assumeTrue(false, missing + ", so this test is skipped (" + SWITCH + "=true makes it fail)");
    return null;
  }
}
