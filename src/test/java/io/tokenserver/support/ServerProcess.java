package io.tokenserver.support;

import org.awaitility.core.ConditionTimeoutException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * {@code io.tokenserver.Main} in a child JVM with its own environment and system properties, for what
 * only a real process shows: exit codes, the startup line, signals.
 */
public final class ServerProcess implements AutoCloseable {

  private final Process process;
  private final List<String> output = Collections.synchronizedList(new ArrayList<>());
  private final Thread reader;

  private ServerProcess(Process process) {
    this.process = process;
    this.reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          output.add(line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "server-process-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts Main with exactly {@code env} as its environment (plus PATH), {@code sysProps} as -D flags and
   * {@code args}; stdout and stderr are merged into {@link #output()}.
   */
  public static ServerProcess start(Map<String, String> env, Map<String, String> sysProps, String... args) {
    return start(List.of(), env, sysProps, args);
  }

  /**
   * Like {@link #start(Map, Map, String...)}, at the lowest CPU priority ({@code nice -n 19}): for a process that
   * keeps a core busy for long (a long warm-up), so that it takes only what the machine has to spare.
   */
  public static ServerProcess startNiced(Map<String, String> env, Map<String, String> sysProps, String... args) {
    return start(List.of("nice", "-n", "19"), env, sysProps, args);
  }

  private static ServerProcess start(List<String> prefix, Map<String, String> env, Map<String, String> sysProps,
      String... args) {
    List<String> command = new ArrayList<>(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    sysProps.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.tokenserver.Main");
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    String path = System.getenv("PATH");
    builder.environment().clear();
    builder.environment().put("PATH", path == null ? "/usr/bin:/bin" : path);
    // No seconds of JIT warm-up per started process, nor of answering on after SIGTERM, unless a test asks for them.
    builder.environment().put("WARMUP_SECONDS", "0");
    builder.environment().put("DRAIN_DELAY_SECONDS", "0");
    builder.environment().putAll(env);
    try {
      return new ServerProcess(builder.start());
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the server process", e);
    }
  }

  /** Waits until a line containing {@code text} appears; fails with the output so far if it does not. */
  public String awaitLine(String text, long timeoutMillis) {
    try {
      return await().atMost(Duration.ofMillis(timeoutMillis)).pollInterval(Duration.ofMillis(20))
          .until(() -> firstLineWith(text).or(() -> {
            if (!reader.isAlive()) { // the process ended and its last lines are read
              throw new AssertionError("process exited (" + process.exitValue() + ") without '" + text + "':\n"
                  + output());
            }
            return Optional.empty();
          }), Optional::isPresent).orElseThrow();
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("no line with '" + text + "' within " + timeoutMillis + " ms:\n" + output());
    }
  }

  /** The ports a started server reports on its startup line (with {@code PORT=0}, the free ones it got). */
  public record Ports(int port, int managementPort) {
  }

  private static final Pattern READY_PORTS = Pattern.compile(" port=(\\d+) managementPort=(\\d+) ");

  /** Waits for the startup line and returns the ports it reports. */
  public Ports awaitReady(long timeoutMillis) {
    String ready = awaitLine("ready in", timeoutMillis);
    Matcher ports = READY_PORTS.matcher(ready);
    if (!ports.find()) {
      throw new AssertionError("no ports on the startup line: " + ready);
    }
    return new Ports(Integer.parseInt(ports.group(1)), Integer.parseInt(ports.group(2)));
  }

  private Optional<String> firstLineWith(String text) {
    synchronized (output) {
      return output.stream().filter(line -> line.contains(text)).findFirst();
    }
  }

  /** Waits for the process to exit and returns its exit code. */
  public int awaitExit(long timeoutMillis) throws InterruptedException {
    if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
      throw new AssertionError("process still running after " + timeoutMillis + " ms:\n" + output());
    }
    reader.join(5_000); // the last lines may still be in the pipe
    return process.exitValue();
  }

  /** Sends SIGTERM, as Kubernetes does (through the handle: Process.destroy would also close our pipes). */
  public void terminate() {
    process.toHandle().destroy();
  }

  public String output() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  public long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
