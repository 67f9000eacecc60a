package io.tokenserver.credentials;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.RawHttp;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.tokenserver.support.VerifiedToken;
import io.tokenserver.token.AccessToken2Minter;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Rotating APP_CERTIFICATE_FILE while clients keep asking: every response is a token valid under one of the
 * certificates, none fails, no client ever goes back to an older certificate, and an invalid new value is
 * refused while the previous certificate keeps serving.
 */
class RotationTest {

  static final String CERT_A = FakeCredentials.APP_CERTIFICATE;
  static final String CERT_B = "1b2c3d4e5f60718293a4b5c6d7e8f901";
  static final String CERT_C = "abcdefabcdefabcdefabcdefabcdef12";
  static final List<String> CERTS = List.of(CERT_A, CERT_B, CERT_C);

  @TempDir
  Path dir;

  /** Writes like Kubernetes does: a new file moved over the old one, never a half-written file. */
  private void write(Path file, String content) throws Exception {
    Path temp = Files.writeString(dir.resolve(file.getFileName() + ".tmp"), content);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static int certificateOf(String token) {
    for (int i = 0; i < CERTS.size(); i++) {
      try {
        VerifiedToken.verify(token, CERTS.get(i));
        return i;
      } catch (AssertionError notThisOne) {
        // try the next
      }
    }
    return -1;
  }

  @Test
  void rotatingTheCertificateUnderLoadFailsNoRequest() throws Exception {
    Path appId = Files.writeString(dir.resolve("app-id"), FakeCredentials.APP_ID + "\n");
    Path cert = Files.writeString(dir.resolve("app-certificate"), CERT_A + "\n");
    JsonObject values = TestConfig.values().put("APP_ID", "").put("APP_CERTIFICATE", "")
        .put("APP_ID_FILE", appId.toString()).put("APP_CERTIFICATE_FILE", cert.toString())
        .put("CREDENTIALS_RELOAD_INTERVAL_MS", 50);
    ServerConfig config = ServerConfig.from(values);
    assertThat(config.appCertificate()).as("read from the file at startup").isEqualTo(CERT_A);
    Projects projects = Projects.of(config.projects());

    try (RunningServer server = RunningServer.start(config, projects)) {
      server.server.watchCredentials(projects);
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger responses = new AtomicInteger();
      Map<Integer, AtomicInteger> perCertificate = new ConcurrentHashMap<>();
      List<String> failures = new CopyOnWriteArrayList<>();
      List<Thread> clients = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread client = new Thread(() -> {
          int newest = 0;
          try (RawHttp http = RawHttp.connect(server.port(), 10_000)) {
            while (running.get()) {
              http.send("GET /rtc/stage/publisher/uid/42 HTTP/1.1\r\nHost: x\r\n\r\n");
              RawHttp.Response response = http.read();
              responses.incrementAndGet();
              if (response == null || response.status() != 200) {
                failures.add(response == null ? "connection dropped" : response.status() + " " + response.text());
                continue;
              }
              int certificate = certificateOf(new JsonObject(response.text()).getString("rtcToken"));
              if (certificate < 0) {
                failures.add("token valid under no certificate");
              } else if (certificate < newest) {
                failures.add("went back from certificate " + newest + " to " + certificate);
              } else {
                newest = certificate;
                perCertificate.computeIfAbsent(certificate, k -> new AtomicInteger()).incrementAndGet();
              }
            }
          } catch (Exception e) {
            failures.add(e.toString());
          }
        });
        client.start();
        clients.add(client);
      }

      awaitTokensUnder(perCertificate, 0);
      write(cert, CERT_B + "\n");
      awaitTokensUnder(perCertificate, 1);
      write(cert, "this is not a certificate\n");
      await().atMost(Duration.ofSeconds(10)).until(
          () -> metric(server.management("/metrics").bodyAsString(), "token_server_credential_reload_failures_total") == 1);
      int afterInvalid = count(perCertificate, 1);
      await("certificate B keeps serving after the invalid content").atMost(Duration.ofSeconds(10))
          .until(() -> count(perCertificate, 1) >= afterInvalid + 20);
      write(cert, CERT_C);
      awaitTokensUnder(perCertificate, 2);
      running.set(false);
      for (Thread client : clients) {
        client.join(10_000);
      }

      assertThat(failures).isEmpty();
      assertThat(responses.get()).isGreaterThan(100);
      assertThat(perCertificate.keySet()).containsExactlyInAnyOrder(0, 1, 2);
      assertThat(projects.get("default").credentials().get().appCertificate()).isEqualTo(CERT_C);
      String metrics = server.management("/metrics").bodyAsString();
      assertThat(metric(metrics, "token_server_credential_reloads_total")).isEqualTo(2);
      assertThat(metric(metrics, "token_server_credential_reload_failures_total")).isEqualTo(1);
    }
  }

  @Test
  void aMissingFileAtStartupIsAConfigErrorNamingTheKey() {
    JsonObject values = TestConfig.values().put("APP_CERTIFICATE_FILE", dir.resolve("absent").toString());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.from(values))
        .hasMessageStartingWith("APP_CERTIFICATE_FILE cannot be read");
  }

  @Test
  void anInvalidFileAtStartupIsAConfigErrorThatNeverShowsTheContent() throws Exception {
    Path cert = Files.writeString(dir.resolve("bad"), "secret-but-wrong");
    JsonObject values = TestConfig.values().put("APP_CERTIFICATE_FILE", cert.toString());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.from(values))
        .hasMessage("APP_CERTIFICATE_FILE must hold 32 hexadecimal characters");
  }

  private static int count(Map<Integer, AtomicInteger> perCertificate, int certificate) {
    AtomicInteger count = perCertificate.get(certificate);
    return count == null ? 0 : count.get();
  }

  private static void awaitTokensUnder(Map<Integer, AtomicInteger> perCertificate, int certificate) {
    await("tokens under certificate " + certificate).atMost(Duration.ofSeconds(10))
        .until(() -> count(perCertificate, certificate) >= 20);
  }

  private static double metric(String exposition, String name) {
    Matcher matcher = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? (\\S+)$").matcher(exposition);
    assertThat(matcher.find()).as(name).isTrue();
    return Double.parseDouble(matcher.group(2));
  }
}
