package io.tokenserver;

import io.tokenserver.config.ConfigException;
import io.tokenserver.config.ConfigLoader;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.credentials.CredentialsHolder;
import io.tokenserver.token.AgoraTokenMinter;
import io.tokenserver.token.AppCredentials;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/** Reads the config, starts the server, and drains it on SIGTERM/SIGINT before exiting 0. */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    long startNanos = System.nanoTime();
    ServerConfig config = loadConfigOrExit(Arrays.asList(args).contains("--demo"));
    TokenServer server;
    try {
      CredentialsHolder credentials = new CredentialsHolder(new AppCredentials(config.appId(), config.appCertificate()));
      server = TokenServer.start(config, c -> agoraMinter(credentials)).await(30, TimeUnit.SECONDS);
      server.watchCredentials(credentials);
    } catch (Exception e) {
      System.err.println("startup failed: " + e.getMessage());
      System.exit(1);
      return;
    }
    if (config.demo()) {
      LOG.warn("DEMO MODE: random credentials (APP_ID={}); Agora will REJECT these tokens. "
          + "Set APP_ID and APP_CERTIFICATE for real ones.", config.appId());
    }
    LOG.info("agora token server ready in {} ms: port={} managementPort={} eventLoops={} signingPoolSize={} "
            + "signingMaxPending={} appId={}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
        config.port(), config.managementPort(), config.eventLoops(), config.signingPoolSize(),
        config.signingMaxPending(), config.appId());

    Runnable drainAndExit = () -> {
      LOG.info("shutdown signal: draining for at most {} s", config.drainTimeout().toSeconds());
      try {
        server.shutdown().get(config.drainTimeout().toSeconds() + 10, TimeUnit.SECONDS);
        LOG.info("drained, exiting");
      } catch (Exception e) {
        LOG.warn("drain did not finish cleanly: {}", e.toString());
      }
      System.exit(0);
    };
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> new Thread(drainAndExit, "drain").start());
    }
  }

  private static ServerConfig loadConfigOrExit(boolean demoFlag) {
    Vertx vertx = Vertx.vertx();
    try {
      return ConfigLoader.load(vertx, demoFlag).await(30, TimeUnit.SECONDS);
    } catch (ConfigException e) {
      System.err.println("config error: " + e.getMessage());
    } catch (Exception e) {
      System.err.println("config error: " + (e.getCause() instanceof ConfigException c ? c.getMessage() : e.toString()));
    } finally {
      vertx.close();
    }
    System.exit(2);
    return null;
  }

  /** The minter reads {@code credentials} once per token, so a rotated certificate is used at once. */
  static AgoraTokenMinter agoraMinter(CredentialsHolder credentials) {
    return new AgoraTokenMinter(credentials);
  }
}
