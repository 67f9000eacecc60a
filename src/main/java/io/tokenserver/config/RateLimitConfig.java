package io.tokenserver.config;

import io.tokenserver.ratelimit.TrustedProxies;

/**
 * Per-caller token buckets: {@code perSecond} refill, {@code burst} capacity, at most {@code maxCallers}
 * buckets kept. Off when {@code perSecond} is 0. Limits are per replica.
 */
public record RateLimitConfig(long perSecond, long burst, int maxCallers, TrustedProxies trustedProxies) {

  public static RateLimitConfig off() {
    return new RateLimitConfig(0, 0, 0, TrustedProxies.NONE);
  }

  public boolean enabled() {
    return perSecond > 0;
  }

  static RateLimitConfig from(ServerConfig.Reader in) {
    long perSecond = in.integer("RATE_LIMIT_PER_SECOND", 0, 1_000_000);
    long burst = in.integer("RATE_LIMIT_BURST", 0, 1_000_000);
    int maxCallers = in.integer("RATE_LIMIT_MAX_CALLERS", 1, 10_000_000);
    TrustedProxies proxies;
    try {
      proxies = TrustedProxies.parse(in.list("TRUSTED_PROXIES"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("TRUSTED_PROXIES", "must be a comma-separated list of IP addresses or CIDR ranges: "
          + e.getMessage());
    }
    return new RateLimitConfig(perSecond, burst == 0 ? perSecond : burst, maxCallers, proxies);
  }
}
