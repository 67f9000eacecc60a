package io.tokenserver.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * A throw-away {@code redis-server} on a free loopback port: no persistence, stopped by {@link #close()}.
 * Tests kill it, pause it and start it again on the same port to play a Redis outage.
 */
public final class RedisServer implements AutoCloseable {

  private final Path executable;
  private final int port;
  private final List<String> options;
  private Process process;

  private RedisServer(Path executable, int port, List<String> options) {
    this.executable = executable;
    this.port = port;
    this.options = options;
  }

  /** Starts one; skips the test with a hint when redis-server is not installed (fails in CI). */
  public static RedisServer start(String... options) {
    Path executable = ExternalTool.require("redis-server", "redis-server");
    // redis-server takes a port number, not 0: pick a free one, and pick again if another process took it first.
    for (int attempt = 1; ; attempt++) {
      RedisServer redis = new RedisServer(executable, TestConfig.freePort(), List.of(options));
      try {
        redis.restart();
        return redis;
      } catch (IllegalStateException exited) {
        if (attempt == 3) {
          throw exited;
        }
      }
    }
  }

  /** One that is not running yet: its URL refuses connections until {@link #restart()}. */
  public static RedisServer notStarted() {
    return new RedisServer(ExternalTool.require("redis-server", "redis-server"), TestConfig.freePort(), List.of());
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server (again) on the same port and waits until it accepts connections; throws if it exits. */
  public void restart() {
    try {
      List<String> command = new ArrayList<>(List.of(executable.toString(), "--port", Integer.toString(port),
          "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"));
      command.addAll(options);
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    await("redis-server on port " + port).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
        .until(() -> !process.isAlive() || accepts());
    if (!process.isAlive()) {
      throw new IllegalStateException("redis-server exited at start on port " + port + " (taken?)");
    }
  }

  /** SIGKILL: the connection drops at once, as when a Redis node dies. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGSTOP / SIGCONT: the connection stays open but nothing answers, as with a stalled Redis. */
  public void pause(boolean paused) {
    try {
      new ProcessBuilder("kill", paused ? "-STOP" : "-CONT", Long.toString(process.pid())).start().waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Redis' count of open client connections, not counting the one that asks. */
  public int connectedClients() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      socket.setSoTimeout(5000);
      socket.getOutputStream().write("INFO clients\r\n".getBytes(StandardCharsets.US_ASCII));
      BufferedReader lines = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("connected_clients:")) {
          return Integer.parseInt(line.substring("connected_clients:".length()).trim()) - 1;
        }
      }
      throw new IllegalStateException("no connected_clients in INFO clients");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 100);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      pause(false);
      kill();
    }
  }
}
