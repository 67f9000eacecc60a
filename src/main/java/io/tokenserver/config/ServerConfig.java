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
 * Built from the merged key/value layers that {@link ConfigLoader} reads, and copied with {@link #toBuilder()}.
 */
public record ServerConfig(
    /* true when the credentials are a random demo pair */
    boolean demo,
    String host,
    /* 0 takes a free port: the server reports the one it got (TokenServer#port) */
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
    /* how long the start-up warm-up drives the server's own port before readiness; zero skips it */
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
    return new Builder()
        .demo(in.bool("DEMO"))
        .host(host)
        .port(in.integer("PORT", 0, 65_535))
        .managementHost(managementHost == null ? host : managementHost)
        .managementPort(in.integer("MANAGEMENT_PORT", 0, 65_535))
        .corsAllowOrigins(in.origins("CORS_ALLOW_ORIGIN"))
        .defaultExpirySeconds(in.integer("TOKEN_DEFAULT_EXPIRY", 1, maxExpiry))
        .maxExpirySeconds(maxExpiry)
        .signingPoolSize(in.integerOr("SIGNING_POOL_SIZE", processors, 1, 1024))
        .signingMaxPending(in.integer("SIGNING_MAX_PENDING", 1, 10_000_000))
        .eventLoops(in.integerOr("EVENT_LOOPS", processors, 1, 1024))
        .drainDelay(Duration.ofSeconds(in.integer("DRAIN_DELAY_SECONDS", 0, 3600)))
        .drainTimeout(Duration.ofSeconds(in.integer("DRAIN_TIMEOUT_SECONDS", 0, 3600)))
        .accessLog(in.bool("ACCESS_LOG"))
        .httpMetrics(in.bool("HTTP_METRICS"))
        .auth(auth)
        .rateLimit(RateLimitConfig.from(in))
        .credentialFiles(credentialFiles)
        .protocolLimits(ProtocolLimits.from(in))
        .warmUp(Duration.ofSeconds(in.integer("WARMUP_SECONDS", 0, 60)))
        .projects(projects)
        .build();
  }

  /** A builder holding this config's values: {@code config.toBuilder().port(0).build()} changes only the port. */
  public Builder toBuilder() {
    return new Builder().demo(demo).host(host).port(port).managementHost(managementHost)
        .managementPort(managementPort).corsAllowOrigins(corsAllowOrigins).defaultExpirySeconds(defaultExpirySeconds)
        .maxExpirySeconds(maxExpirySeconds).signingPoolSize(signingPoolSize).signingMaxPending(signingMaxPending)
        .eventLoops(eventLoops).drainDelay(drainDelay).drainTimeout(drainTimeout).accessLog(accessLog)
        .httpMetrics(httpMetrics).auth(auth).rateLimit(rateLimit).credentialFiles(credentialFiles)
        .protocolLimits(protocolLimits).warmUp(warmUp).projects(projects);
  }

  /** Sets each value by name; the only way this config is built or copied. */
  public static final class Builder {

    private boolean demo;
    private String host;
    private int port;
    private String managementHost;
    private int managementPort;
    private List<String> corsAllowOrigins = List.of();
    private int defaultExpirySeconds;
    private int maxExpirySeconds;
    private int signingPoolSize;
    private int signingMaxPending;
    private int eventLoops;
    private Duration drainDelay = Duration.ZERO;
    private Duration drainTimeout = Duration.ZERO;
    private boolean accessLog;
    private boolean httpMetrics;
    private AuthConfig auth;
    private RateLimitConfig rateLimit;
    private CredentialFiles credentialFiles;
    private ProtocolLimits protocolLimits;
    private Duration warmUp = Duration.ZERO;
    private ProjectsConfig projects;

    private Builder() {
    }

    public Builder demo(boolean demo) {
      this.demo = demo;
      return this;
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder managementHost(String managementHost) {
      this.managementHost = managementHost;
      return this;
    }

    public Builder managementPort(int managementPort) {
      this.managementPort = managementPort;
      return this;
    }

    public Builder corsAllowOrigins(List<String> corsAllowOrigins) {
      this.corsAllowOrigins = corsAllowOrigins;
      return this;
    }

    public Builder defaultExpirySeconds(int defaultExpirySeconds) {
      this.defaultExpirySeconds = defaultExpirySeconds;
      return this;
    }

    public Builder maxExpirySeconds(int maxExpirySeconds) {
      this.maxExpirySeconds = maxExpirySeconds;
      return this;
    }

    public Builder signingPoolSize(int signingPoolSize) {
      this.signingPoolSize = signingPoolSize;
      return this;
    }

    public Builder signingMaxPending(int signingMaxPending) {
      this.signingMaxPending = signingMaxPending;
      return this;
    }

    public Builder eventLoops(int eventLoops) {
      this.eventLoops = eventLoops;
      return this;
    }

    public Builder drainDelay(Duration drainDelay) {
      this.drainDelay = drainDelay;
      return this;
    }

    public Builder drainTimeout(Duration drainTimeout) {
      this.drainTimeout = drainTimeout;
      return this;
    }

    public Builder accessLog(boolean accessLog) {
      this.accessLog = accessLog;
      return this;
    }

    public Builder httpMetrics(boolean httpMetrics) {
      this.httpMetrics = httpMetrics;
      return this;
    }

    public Builder auth(AuthConfig auth) {
      this.auth = auth;
      return this;
    }

    public Builder rateLimit(RateLimitConfig rateLimit) {
      this.rateLimit = rateLimit;
      return this;
    }

    public Builder credentialFiles(CredentialFiles credentialFiles) {
      this.credentialFiles = credentialFiles;
      return this;
    }

    public Builder protocolLimits(ProtocolLimits protocolLimits) {
      this.protocolLimits = protocolLimits;
      return this;
    }

    public Builder warmUp(Duration warmUp) {
      this.warmUp = warmUp;
      return this;
    }

    public Builder projects(ProjectsConfig projects) {
      this.projects = projects;
      return this;
    }

    public ServerConfig build() {
      return new ServerConfig(demo, host, port, managementHost, managementPort, corsAllowOrigins,
          defaultExpirySeconds, maxExpirySeconds, signingPoolSize, signingMaxPending, eventLoops, drainDelay,
          drainTimeout, accessLog, httpMetrics, auth, rateLimit, credentialFiles, protocolLimits, warmUp, projects);
    }
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
