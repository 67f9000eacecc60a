package io.tokenserver.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code .ci/debian-mirror.sh}, which picks the mirror debootstrap builds the CI base image from, against
 * apt directories of each shape a CI machine may have: deb822 sources only (Debian 12 images), one-line
 * sources only (older systems), or none at all.
 */
class DebianMirrorTest {

  private static final String DEFAULT = "http://deb.debian.org/debian";

  @TempDir
  Path apt;

  @Test
  void deb822SourcesOnly() throws Exception {
    Files.createDirectories(apt.resolve("sources.list.d"));
    Files.writeString(apt.resolve("sources.list.d/debian.sources"), """
        Types: deb
        # http://snapshot.debian.org/archive/debian-security/20250520T000000Z
        URIs: http://security.debian.org/debian-security
        Suites: bookworm-security
        Components: main

        Types: deb
        URIs: http://disabled.example.org/debian
        Suites: bookworm
        Components: main
        Enabled: no

        Types: deb
        uris:
          https://mirror.example.org/debian
          http://second.example.org/debian
        Suites: bookworm bookworm-updates
        Components: main
        Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
        """);

    assertThat(mirror()).isEqualTo("https://mirror.example.org/debian");
  }

  @Test
  void oneLineSourcesOnly() throws Exception {
    Files.writeString(apt.resolve("sources.list"), """
        # deb http://commented.example.org/debian bookworm main
        deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://security.debian.org/debian-security bookworm-security main
        deb-src http://ftp.de.debian.org/debian/ bookworm main
        deb http://ftp.fr.debian.org/debian/ bookworm main
        """);

    assertThat(mirror()).isEqualTo("http://ftp.de.debian.org/debian/");
  }

  @Test
  void neitherGivesTheDefaultMirror() throws Exception {
    assertThat(mirror()).as("empty apt directory").isEqualTo(DEFAULT);
    Files.createDirectories(apt.resolve("sources.list.d"));
    assertThat(mirror()).as("empty sources.list.d").isEqualTo(DEFAULT);
    Files.delete(apt.resolve("sources.list.d"));
    Files.delete(apt);
    assertThat(mirror()).as("no apt directory").isEqualTo(DEFAULT);
  }

  @Test
  void skipsFilesAptIgnoresAndOtherVendorsRepositories() throws Exception {
    Path parts = Files.createDirectories(apt.resolve("sources.list.d"));
    // In name order, all before the Debian one: a disabled file, a vendor's deb822 and one-line sources.
    Files.writeString(parts.resolve("a-mirror.list.disabled-by-farm"), "deb http://disabled.example.org/debian bookworm main\n");
    Files.writeString(parts.resolve("b-nodesource.sources"), """
        Types: deb
        URIs: https://deb.nodesource.com/node_20.x
        Suites: nodistro
        Components: main
        """);
    Files.writeString(parts.resolve("c-google-cloud-sdk.list"),
        "deb [arch=amd64] https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n");
    Files.writeString(parts.resolve("d-debian.sources"), """
        Types: deb
        URIs: http://snapshot.debian.org/archive/debian/20250520T000000Z
        Suites: bookworm
        Components: main
        """);

    assertThat(mirror()).isEqualTo("http://snapshot.debian.org/archive/debian/20250520T000000Z");
  }

  /** The script's one line of output; fails unless it exits 0 and prints nothing on stderr. */
  private String mirror() throws Exception {
    Process process = new ProcessBuilder("bash", ".ci/debian-mirror.sh", apt.toString()).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("exit code; stderr: " + err).isZero();
    assertThat(err).isEmpty();
    assertThat(out).endsWith("\n").hasLineCount(1);
    return out.strip();
  }
}
