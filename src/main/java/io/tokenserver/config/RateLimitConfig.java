package io.tokenserver.config;

import io.tokenserver.net.TrustedProxies;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Per-caller token buckets: {@code perSecond} refill, {@code burst} capacity, at most {@code maxCallers}
 * buckets kept in memory. Off when {@code perSecond} is 0. With the {@code LOCAL} backend limits are per
 * replica; with {@code REDIS} every replica spends from the same buckets ({@link Redis}). With {@code perProject}
 * ({@code RATE_LIMIT_PER_PROJECT}) a caller has one bucket per project it uses.
 */
public record RateLimitConfig(long perSecond, long burst, int maxCallers, TrustedProxies trustedProxies,
    Backend backend, Redis redis, boolean perProject) {

  /** Where the buckets live. */
  public enum Backend { LOCAL, REDIS }

  /** What a replica does while Redis cannot answer in time. */
  public enum RedisFailure {
    /** Count on the replica's own buckets (fail-open per replica). */
    LOCAL,
    /** Refuse every limited request with 429 until Redis answers again. */
    DENY
  }

  /**
   * The shared backend: {@code url} ({@code redis://} or {@code rediss://}), an optional password read from
   * {@code passwordFile} (wins over one in the URL), the prefix of every key, and the budget of one check.
   */
  public record Redis(String url, Path passwordFile, String keyPrefix, Duration timeout, RedisFailure onFailure) {

    /** The password from {@code passwordFile}, or null (then the URL's own, if any, is used). */
    public String password() {
      return passwordFile == null ? null : CredentialFiles.read("REDIS_PASSWORD_FILE", passwordFile);
    }

    @Override
    public String toString() {
      // The URL may carry a password: never print it.
      return "Redis[keyPrefix=" + keyPrefix + ", timeout=" + timeout + ", onFailure=" + onFailure + "]";
    }
  }

  public RateLimitConfig(long perSecond, long burst, int maxCallers, TrustedProxies trustedProxies) {
    this(perSecond, burst, maxCallers, trustedProxies, Backend.LOCAL, null, false);
  }

  public static RateLimitConfig off() {
    return new RateLimitConfig(0, 0, 0, TrustedProxies.NONE);
  }

  public boolean enabled() {
    return perSecond > 0;
  }

  /**
   * The same backend and settings at a rate nothing reaches, on buckets of their own (on Redis, under
   * {@code keyPrefix + keySuffix}): for traffic that must pass the limiter without spending callers' buckets.
   */
  public RateLimitConfig unrefused(String keySuffix) {
    if (!enabled()) {
      return this;
    }
    Redis own = redis == null ? null : new Redis(redis.url(), redis.passwordFile(), redis.keyPrefix() + keySuffix,
        redis.timeout(), redis.onFailure());
    return new RateLimitConfig(1_000_000, 1_000_000, maxCallers, trustedProxies, backend, own, perProject);
  }

  static RateLimitConfig from(ServerConfig.Reader in) {
    long perSecond = in.integer("RATE_LIMIT_PER_SECOND", 0, 1_000_000);
    long burst = in.integer("RATE_LIMIT_BURST", 0, 1_000_000);
    int maxCallers = in.integer("RATE_LIMIT_MAX_CALLERS", 1, 10_000_000);
    TrustedProxies proxies = trustedProxies(in);
    Backend backend = switch (in.text("RATE_LIMIT_BACKEND").toLowerCase(Locale.ROOT)) {
      case "local" -> Backend.LOCAL;
      case "redis" -> Backend.REDIS;
      default -> throw new ConfigException("RATE_LIMIT_BACKEND", "must be local or redis");
    };
    Redis redis = backend == Backend.REDIS ? redis(in) : null;
    return new RateLimitConfig(perSecond, burst == 0 ? perSecond : burst, maxCallers, proxies, backend, redis,
        in.bool("RATE_LIMIT_PER_PROJECT"));
  }

  /** None when unset or {@code none}: then no client's {@code X-Forwarded-For} is believed. */
  private static TrustedProxies trustedProxies(ServerConfig.Reader in) {
    in.rejectPlaceholder("TRUSTED_PROXIES", "your load balancer's addresses, or none");
    String value = in.optionalText("TRUSTED_PROXIES");
    if (value != null && value.equalsIgnoreCase(ServerConfig.Reader.NONE)) {
      return TrustedProxies.NONE;
    }
    try {
      return TrustedProxies.parse(in.list("TRUSTED_PROXIES"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("TRUSTED_PROXIES", "must be none or a comma-separated list of IP addresses or "
          + "CIDR ranges: " + e.getMessage());
    }
  }

  private static Redis redis(ServerConfig.Reader in) {
    String url = in.optionalText("REDIS_URL");
    if (url == null) {
      throw new ConfigException("REDIS_URL", "is missing: RATE_LIMIT_BACKEND=redis needs redis://host:port "
          + "or rediss://host:port");
    }
    checkUrl(url);
    String passwordFile = in.optionalText("REDIS_PASSWORD_FILE");
    Path password = null;
    if (passwordFile != null) {
      password = Path.of(passwordFile);
      if (CredentialFiles.read("REDIS_PASSWORD_FILE", password).isEmpty()) {
        throw new ConfigException("REDIS_PASSWORD_FILE", "names an empty file");
      }
    }
    String prefix = in.text("RATE_LIMIT_REDIS_KEY_PREFIX");
    Duration timeout = Duration.ofMillis(in.integer("RATE_LIMIT_REDIS_TIMEOUT_MS", 1, 10_000));
    RedisFailure onFailure = switch (in.text("RATE_LIMIT_REDIS_FAILURE").toLowerCase(Locale.ROOT)) {
      case "local" -> RedisFailure.LOCAL;
      case "deny" -> RedisFailure.DENY;
      default -> throw new ConfigException("RATE_LIMIT_REDIS_FAILURE", "must be local or deny");
    };
    return new Redis(url, password, prefix, timeout, onFailure);
  }

  /** Rejects what the Redis client could not connect to; the message never repeats the URL (it may hold a password). */
  private static void checkUrl(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (Exception e) {
      throw new ConfigException("REDIS_URL", "is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("redis") && !scheme.equals("rediss")) {
      throw new ConfigException("REDIS_URL", "must start with redis:// or rediss://");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new ConfigException("REDIS_URL", "must name a host: redis://host:port");
    }
  }
}
