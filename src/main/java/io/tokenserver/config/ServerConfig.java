package io.tokenserver.config;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The server's whole configuration, validated once at startup and immutable afterwards.
 * Built from the merged key/value layers that {@link ConfigLoader} reads.
 */
public record ServerConfig(
    String appId,
    String appCertificate,
    /* true when the credentials are a random demo pair */
    boolean demo,
    String host,
    int port,
    int managementPort,
    List<String> corsAllowOrigins,
    int defaultExpirySeconds,
    int maxExpirySeconds,
    int signingPoolSize,
    int signingMaxPending,
    int eventLoops,
    Duration drainTimeout,
    boolean accessLog,
    boolean httpMetrics,
    AuthConfig auth,
    RateLimitConfig rateLimit,
    CredentialFiles credentialFiles,
    ProtocolLimits protocolLimits) {

  /** Agora rejects any token that lives longer than 24 hours. */
  public static final int AGORA_MAX_EXPIRY_SECONDS = 86_400;

  /** Every key the server reads; the environment store is limited to these. */
  public static final Set<String> KEYS = Set.of(
      "APP_ID", "APP_CERTIFICATE", "DEMO", "HOST", "PORT", "SERVER_PORT", "MANAGEMENT_PORT",
      "CORS_ALLOW_ORIGIN", "TOKEN_DEFAULT_EXPIRY", "TOKEN_MAX_EXPIRY", "SIGNING_POOL_SIZE",
      "SIGNING_MAX_PENDING", "EVENT_LOOPS", "DRAIN_TIMEOUT_SECONDS", "ACCESS_LOG", "HTTP_METRICS",
      "CONFIG_FILE", "LOG_FORMAT",
      // production hardening (issue 6)
      "AUTH_MODE", "API_KEYS", "API_KEYS_FILE", "JWT_SECRET", "JWT_PUBLIC_KEY_FILE", "JWT_JWKS", "JWT_ISSUER",
      "JWT_AUDIENCE", "JWT_UID_CLAIM", "JWT_CHANNELS_CLAIM", "JWT_PUBLISHER_CLAIM", "JWT_LEEWAY_SECONDS",
      "RATE_LIMIT_PER_SECOND", "RATE_LIMIT_BURST", "RATE_LIMIT_MAX_CALLERS", "TRUSTED_PROXIES",
      "RATE_LIMIT_BACKEND", "REDIS_URL", "REDIS_PASSWORD_FILE", "RATE_LIMIT_REDIS_KEY_PREFIX",
      "RATE_LIMIT_REDIS_TIMEOUT_MS", "RATE_LIMIT_REDIS_FAILURE",
      "APP_ID_FILE", "APP_CERTIFICATE_FILE", "CREDENTIALS_RELOAD_INTERVAL_MS",
      "MAX_HEADER_SIZE", "MAX_INITIAL_LINE_LENGTH", "IDLE_TIMEOUT_SECONDS", "REQUEST_TIMEOUT_SECONDS",
      "MAX_CONNECTIONS");

  private static final Pattern HEX_32 = Pattern.compile("[0-9a-fA-F]{32}");

  public ServerConfig {
    corsAllowOrigins = List.copyOf(corsAllowOrigins);
  }

  /** Validates the merged layers; throws {@link ConfigException} naming the first bad key. */
  public static ServerConfig from(JsonObject values) {
    Reader in = new Reader(values);
    int maxExpiry = in.integer("TOKEN_MAX_EXPIRY", 1, AGORA_MAX_EXPIRY_SECONDS);
    int processors = Runtime.getRuntime().availableProcessors();
    return new ServerConfig(
        in.hex32OrFile("APP_ID", "APP_ID_FILE"),
        in.hex32OrFile("APP_CERTIFICATE", "APP_CERTIFICATE_FILE"),
        in.bool("DEMO"),
        in.text("HOST"),
        in.integer("PORT", 1, 65_535),
        in.integer("MANAGEMENT_PORT", 1, 65_535),
        in.origins("CORS_ALLOW_ORIGIN"),
        in.integer("TOKEN_DEFAULT_EXPIRY", 1, maxExpiry),
        maxExpiry,
        in.integerOr("SIGNING_POOL_SIZE", processors, 1, 1024),
        in.integer("SIGNING_MAX_PENDING", 1, 10_000_000),
        in.integerOr("EVENT_LOOPS", processors, 1, 1024),
        Duration.ofSeconds(in.integer("DRAIN_TIMEOUT_SECONDS", 0, 3600)),
        in.bool("ACCESS_LOG"),
        in.bool("HTTP_METRICS"),
        AuthConfig.from(in),
        RateLimitConfig.from(in),
        CredentialFiles.from(in),
        ProtocolLimits.from(in));
  }

  /** Reads one typed value per key: files give JSON numbers and booleans, env and sysprops give strings. */
  record Reader(JsonObject values) {

    String text(String key) {
      Object value = values.getValue(key);
      if (value == null || value.toString().isBlank()) {
        throw new ConfigException(key, "is missing");
      }
      return value.toString().trim();
    }

    String hex32(String key) {
      String value = text(key);
      if (!HEX_32.matcher(value).matches()) {
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

    int integerOr(String key, int fallback, int min, int max) {
      return isBlank(key) ? fallback : integer(key, min, max);
    }

    boolean bool(String key) {
      if (isBlank(key)) {
        return false;
      }
      String value = text(key).toLowerCase();
      return switch (value) {
        case "true", "1", "yes" -> true;
        case "false", "0", "no" -> false;
        default -> throw new ConfigException(key, "must be true or false");
      };
    }

    List<String> origins(String key) {
      List<String> origins = Arrays.stream(text(key).split(","))
          .map(String::trim)
          .filter(origin -> !origin.isEmpty())
          .toList();
      if (origins.isEmpty()) {
        throw new ConfigException(key, "must be * or a comma-separated list of origins");
      }
      return origins;
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
      String value = CredentialFiles.read(fileKey, java.nio.file.Path.of(file));
      if (!HEX_32.matcher(value).matches()) {
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
    return "ServerConfig[appId=" + appId + ", port=" + port + ", managementPort=" + managementPort
        + ", eventLoops=" + eventLoops + ", signingPoolSize=" + signingPoolSize + "]";
  }
}
