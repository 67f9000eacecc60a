package io.tokenserver;

import io.tokenserver.config.ConfigException;
import io.tokenserver.config.ConfigLoader;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.credentials.Projects;
import io.tokenserver.http.InspectHandler;
import io.tokenserver.inspect.TokenInspector;
import io.tokenserver.token.AccessToken2Minter;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/** Reads the config, starts the server, and drains it on SIGTERM/SIGINT before exiting 0. */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  /** What a start may take beyond its warm-up (ports, caller gate, verticles: usually well under a second). */
  private static final Duration START_MARGIN = Duration.ofSeconds(30);

  private Main() {
  }

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("inspect")) {
      System.exit(inspect(Arrays.asList(args).subList(1, args.length)));
    }
    long startNanos = System.nanoTime();
    ServerConfig config = loadConfigOrExit(Arrays.asList(args).contains("--demo"));
    CompletableFuture<TokenServer> started = new CompletableFuture<>();
    installDrainOnSignals(started, config);
    TokenServer server;
    try {
      Projects projects = Projects.of(config.projects());
      server = TokenServer.start(config, projects).await(startTimeout(config).toMillis(), TimeUnit.MILLISECONDS);
      server.watchCredentials(projects);
      started.complete(server);
    } catch (Exception e) {
      System.err.println("startup failed: " + e.getMessage());
      System.exit(1);
      return;
    }
    if (config.demo()) {
      LOG.warn("DEMO MODE: random credentials (APP_ID={}); Agora will REJECT these tokens. "
          + "Set APP_ID and APP_CERTIFICATE for real ones.", config.appId());
    }
    if (!AccessToken2Minter.compressesWithoutZlib()) {
      LOG.warn("this JVM's zlib compresses tokens differently from the zlib the fast token compressor follows; "
          + "tokens are compressed by java.util.zip.Deflater instead, at about 5 µs more per token");
    }
    LOG.info("agora token server ready in {} ms: port={} managementPort={} eventLoops={} signingPoolSize={} "
            + "signingMaxPending={} transport={} {}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
        server.port(), server.managementPort(), config.eventLoops(), config.signingPoolSize(),
        config.signingMaxPending(), server.vertx().isNativeTransportEnabled() ? "epoll" : "nio", projectIds(config));
  }

  /** {@code appId=…}, or with several projects each with its app id (never a certificate). */
  private static String projectIds(ServerConfig config) {
    if (!config.projects().several()) {
      return "appId=" + config.appId();
    }
    return config.projects().projects().values().stream()
        .map(project -> project.name() + "=" + project.credentials().appId())
        .collect(Collectors.joining(",", "projects=", ""));
  }

  /**
   * Installed before the server starts, so a signal during startup still drains once readiness is up
   * (instead of the JVM's default exit 143); a second signal is ignored.
   */
  private static void installDrainOnSignals(CompletableFuture<TokenServer> started, ServerConfig config) {
    AtomicBoolean draining = new AtomicBoolean();
    Runnable drainAndExit = () -> {
      LOG.info("shutdown signal: readiness turns 503, answering {} s more, then draining for at most {} s",
          config.drainDelay().toSeconds(), config.drainTimeout().toSeconds());
      try {
        TokenServer server = started.get(startTimeout(config).toMillis(), TimeUnit.MILLISECONDS);
        server.shutdown().get(config.drainDelay().plus(config.drainTimeout()).toSeconds() + 10, TimeUnit.SECONDS);
        LOG.info("drained, exiting");
      } catch (Exception e) {
        LOG.warn("drain did not finish cleanly: {}", e.toString());
      }
      System.exit(0);
    };
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> {
        if (draining.compareAndSet(false, true)) {
          new Thread(drainAndExit, "drain").start();
        }
      });
    }
  }

  /** The start runs the configured warm-up first, so the wait for it grows with {@code WARMUP_SECONDS}. */
  private static Duration startTimeout(ServerConfig config) {
    return config.warmUp().plus(START_MARGIN);
  }

  /**
   * {@code inspect TOKEN [--channel=C] [--user=U] [--expiring-within=SECONDS]}: prints the inspection of TOKEN
   * as JSON, checked against the configured projects' certificates. Exit 0 when the token is usable, 1 when
   * it is not, 2 for a usage or configuration error.
   */
  private static int inspect(List<String> args) {
    String token = null;
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        options.put(arg.substring(2, equals), arg.substring(equals + 1));
      } else if (token == null) {
        token = arg;
      } else {
        token = "";
      }
    }
    int within;
    try {
      within = Integer.parseInt(options.getOrDefault("expiring-within",
          Integer.toString(TokenInspector.DEFAULT_EXPIRING_WITHIN_SECONDS)));
    } catch (NumberFormatException e) {
      within = -1;
    }
    options.keySet().removeAll(List.of("channel", "user", "expiring-within"));
    if (token == null || token.isEmpty() || within < 0 || !options.isEmpty()) {
      System.err.println("usage: inspect TOKEN [--channel=CHANNEL] [--user=UID_OR_ACCOUNT] [--expiring-within=SECONDS]");
      return 2;
    }
    ServerConfig config = loadConfigOrExit(false);
    Map<String, Object> answer = new InspectHandler(Projects.of(config.projects()))
        .inspect(token, within, options.get("channel"), options.get("user"));
    System.out.println(new JsonObject(answer).encodePrettily());
    return Boolean.TRUE.equals(answer.get("usable")) ? 0 : 1;
  }

  private static ServerConfig loadConfigOrExit(boolean demoFlag) {
    try {
      return ConfigLoader.load(demoFlag);
    } catch (ConfigException e) {
      System.err.println("config error: " + e.getMessage());
      System.exit(2);
      return null;
    }
  }
}
