package io.tokenserver;

import io.tokenserver.support.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.assertj.core.api.Assertions.assertThat;

/** The native epoll jar ships for Linux x86_64, so there the server must not fall back to NIO. */
@EnabledOnOs(value = OS.LINUX, architectures = "amd64")
class NativeTransportTest {

  @Test
  void serverRunsOnEpollAndAnswers() {
    try (RunningServer server = RunningServer.start()) {
      assertThat(server.server.vertx().isNativeTransportEnabled())
          .as("native transport (cause if not: %s)", server.server.vertx().unavailableNativeTransportCause())
          .isTrue();
      assertThat(server.get("/ping").bodyAsJsonObject().getString("message")).isEqualTo("pong");
    }
  }
}
