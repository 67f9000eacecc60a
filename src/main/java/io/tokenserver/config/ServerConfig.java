package io.tokenserver.config;

import io.tokenserver.token.AppCredentials;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The server's whole configuration, validated once at startup and immutable afterwards.
 * Built from the merged key/value layers that {@link ConfigLoader} reads.
 */
public record ServerConfig(
    /* true when the credentials are a random demo pair */
    boolean demo,
    String host,
    int port,
    /* the address the management port binds to: MANAGEMENT_HOST, or HOST when that is blank */
    String managementHost,
    int managementPort,
    List<String> corsAllowOrigins,
    int defaultExpirySeconds,
    int maxExpirySeconds,
    int signingPoolSize,
    int signingMaxPending,
    int eventLoops,
    /* on SIGTERM, how long the server keeps serving with readiness down, so load balancers stop sending first */
    Duration drainDelay,
    Duration drainTimeout,
    boolean accessLog,
    boolean httpMetrics,
    AuthConfig auth,
    RateLimitConfig rateLimit,
    CredentialFiles credentialFiles,
    ProtocolLimits protocolLimits,
    /* how long the start-up warm-up drives a throwaway copy of the server before readiness; zero skips it */
    Duration warmUp,
    /* the Agora projects signed for: one, "default", from APP_ID/APP_CERTIFICATE, or those of APPS_FILE */
    ProjectsConfig projects) {

  /** Agora rejects any token that lives longer than 24 hours. */
  public static final int AGORA_MAX_EXPIRY_SECONDS = 86_400;

  /** The shipped defaults: every key the server reads, with its default, or null where there is none. */
  public static final String DEFAULTS_RESOURCE = "conf/config.json";

  /** Every key the server reads (the keys of {@link #DEFAULTS_RESOURCE}); the environment store is limited to these. */
  public static final Set<String> KEYS = Set.copyOf(shippedDefaults().fieldNames());

  public ServerConfig {
    corsAllowOrigins = List.copyOf(corsAllowOrigins);
  }

  /** {@code conf/config.json} as built into the jar. */
  public static JsonObject shippedDefaults() {
    try (InputStream in = ServerConfig.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS_RESOURCE + " is not on the class path");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Validates the merged layers; throws {@link ConfigException} naming the first bad key. */
  public static ServerConfig from(JsonObject values) {
    Reader in = new Reader(values);
    int maxExpiry = in.integer("TOKEN_MAX_EXPIRY", 1, AGORA_MAX_EXPIRY_SECONDS);
    int processors = Runtime.getRuntime().availableProcessors();
    CredentialFiles credentialFiles = CredentialFiles.from(in);
    String appsFile = in.optionalText("APPS_FILE");
    ProjectsConfig projects = appsFile != null
        ? ProjectsConfig.fromFile(Path.of(appsFile), credentialFiles.reloadInterval())
        : ProjectsConfig.single(new AppCredentials(in.hex32OrFile("APP_ID", "APP_ID_FILE"),
            in.hex32OrFile("APP_CERTIFICATE", "APP_CERTIFICATE_FILE")), credentialFiles);
    AuthConfig auth = AuthConfig.from(in);
    auth.checkApiKeys(projects.projects().keySet());
    String host = in.text("HOST");
    String managementHost = in.optionalText("MANAGEMENT_HOST");
    return new ServerConfig(
        in.bool("DEMO"),
        host,
        in.integer("PORT", 1, 65_535),
        managementHost == null ? host : managementHost,
        in.integer("MANAGEMENT_PORT", 1, 65_535),
        in.origins("CORS_ALLOW_ORIGIN"),
        in.integer("TOKEN_DEFAULT_EXPIRY", 1, maxExpiry),
        maxExpiry,
        in.integerOr("SIGNING_POOL_SIZE", processors, 1, 1024),
        in.integer("SIGNING_MAX_PENDING", 1, 10_000_000),
        in.integerOr("EVENT_LOOPS", processors, 1, 1024),
        Duration.ofSeconds(in.integer("DRAIN_DELAY_SECONDS", 0, 3600)),
        Duration.ofSeconds(in.integer("DRAIN_TIMEOUT_SECONDS", 0, 3600)),
        in.bool("ACCESS_LOG"),
        in.bool("HTTP_METRICS"),
        auth,
        RateLimitConfig.from(in),
        credentialFiles,
        ProtocolLimits.from(in),
        Duration.ofSeconds(in.integer("WARMUP_SECONDS", 0, 60)),
        projects);
  }

  /**
   * The settings of the start-up warm-up's throwaway server: the same request path on a free loopback
   * port, without authentication, rate limits or credential files (it mints with random credentials).
   */
  public ServerConfig forWarmUp() {
    return new ServerConfig(demo, "127.0.0.1", 0, "127.0.0.1", 0, corsAllowOrigins,
        defaultExpirySeconds, maxExpirySeconds, signingPoolSize, signingMaxPending, 1, Duration.ZERO, drainTimeout, false,
        httpMetrics, AuthConfig.none(), RateLimitConfig.off(), CredentialFiles.none(), protocolLimits, Duration.ZERO,
        ProjectsConfig.single(firstProject().credentials(), CredentialFiles.none()));
  }

  /** The app id of the single project (with {@code APPS_FILE}, of the first one). */
  public String appId() {
    return firstProject().credentials().appId();
  }

  /** The certificate of the single project (with {@code APPS_FILE}, of the first one). */
  public String appCertificate() {
    return firstProject().credentials().appCertificate();
  }

  private ProjectsConfig.Project firstProject() {
    return projects.projects().values().iterator().next();
  }

  /** Reads one typed value per key: files give JSON numbers and booleans, env and sysprops give strings. */
  record Reader(JsonObject values) {

    /** Marks a value a deployment template leaves for the operator to fill in. */
    static final String PLACEHOLDER = "REPLACE-ME";
    /** The value of a list key that explicitly means an empty list. */
    static final String NONE = "none";

    String text(String key) {
      Object value = values.getValue(key);
      if (value == null || value.toString().isBlank()) {
        throw new ConfigException(key, "is missing");
      }
      return value.toString().trim();
    }

    String hex32(String key) {
      String value = text(key);
      if (!AppCredentials.isHex32(value)) {
        throw new ConfigException(key, "must be 32 hexadecimal characters");
      }
      return value;
    }

    int integer(String key, int min, int max) {
      String value = text(key);
      long parsed;
      try {
        parsed = Long.parseLong(value);
      } catch (NumberFormatException e) {
        throw new ConfigException(key, "must be a whole number from " + min + " to " + max);
      }
      if (parsed < min || parsed > max) {
        throw new ConfigException(key, "must be a whole number from " + min + " to " + max);
      }
      return (int) parsed;
    }

    /** {@code fallback} when the key is null or blank: for defaults that depend on the machine. */
    int integerOr(String key, int fallback, int min, int max) {
      return isBlank(key) ? fallback : integer(key, min, max);
    }

    boolean bool(String key) {
      String value = text(key).toLowerCase();
      return switch (value) {
        case "true", "1", "yes" -> true;
        case "false", "0", "no" -> false;
        default -> throw new ConfigException(key, "must be true or false");
      };
    }

    /** {@code *}, the listed origins, or none at all for {@code none} (then no browser origin is allowed). */
    List<String> origins(String key) {
      rejectPlaceholder(key, "your web app's origins, or none");
      List<String> origins = Arrays.stream(text(key).split(","))
          .map(String::trim)
          .filter(origin -> !origin.isEmpty())
          .toList();
      if (origins.isEmpty()) {
        throw new ConfigException(key, "must be *, none or a comma-separated list of origins");
      }
      if (origins.stream().anyMatch(NONE::equalsIgnoreCase)) {
        if (origins.size() > 1) {
          throw new ConfigException(key, "must be none alone, without origins");
        }
        return List.of();
      }
      return origins;
    }

    /**
     * Stops start-up while {@code key} still holds a {@link #PLACEHOLDER} that a deployment template ships
     * (k8s/overlays/production), naming what to {@code setItTo}.
     */
    void rejectPlaceholder(String key, String setItTo) {
      Object value = values.getValue(key);
      if (value != null && value.toString().contains(PLACEHOLDER)) {
        throw new ConfigException(key, "is a placeholder (" + PLACEHOLDER + "): set it to " + setItTo);
      }
    }

    /** The trimmed value, or null when the key is absent or blank. */
    String optionalText(String key) {
      return isBlank(key) ? null : values.getValue(key).toString().trim();
    }

    /** A comma-separated list; empty when the key is absent. */
    List<String> list(String key) {
      String value = optionalText(key);
      return value == null ? List.of()
          : Arrays.stream(value.split(",")).map(String::trim).filter(item -> !item.isEmpty()).toList();
    }

    /** The value of {@code key}, or the content of the file named by {@code fileKey}, which wins. */
    String hex32OrFile(String key, String fileKey) {
      String file = optionalText(fileKey);
      if (file == null) {
        return hex32(key);
      }
      String value = CredentialFiles.read(fileKey, Path.of(file));
      if (!AppCredentials.isHex32(value)) {
        throw new ConfigException(fileKey, "must hold 32 hexadecimal characters");
      }
      return value;
    }

    boolean isBlank(String key) {
      Object value = values.getValue(key);
      return value == null || value.toString().isBlank();
    }
  }

  @Override
  public String toString() {
    // Never print the certificate, even by accident in a debug line.
    return "ServerConfig[appId=" + appId() + ", port=" + port + ", managementPort=" + managementPort
        + ", eventLoops=" + eventLoops + ", signingPoolSize=" + signingPoolSize + "]";
  }
}
