package io.tokenserver.inspect;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a token is and what would make a join with it fail. Times are epoch seconds; {@code expiresIn} is the
 * seconds left at {@code inspectedAt}, negative when past. Fields that do not apply are null:
 * <ul>
 *   <li>a malformed token has only {@code version} (when its prefix is 006 or 007), {@code signedWith}
 *       {@code UNCHECKED}, no services and one {@code malformed} finding;
 *   <li>{@code issuedAt} and {@code lifetimeSeconds} exist in 007 tokens only; {@code channelCrc32} and
 *       {@code userCrc32} in 006 tokens only (a 006 token stores its channel and uid only as checksums).
 * </ul>
 * The certificate is never part of it.
 */
public record Inspection(String version, String appId, Long issuedAt, Long expiresAt, Long expiresIn,
    Long lifetimeSeconds, Long salt, SignatureMatch signedWith, Long channelCrc32, Long userCrc32,
    List<InspectedService> services, List<Finding> findings, long inspectedAt) {

  public Inspection {
    Objects.requireNonNull(signedWith, "signedWith");
    services = List.copyOf(services);
    findings = List.copyOf(findings);
  }

  static Inspection malformed(String version, String message, long now) {
    return new Inspection(version, null, null, null, null, null, null, SignatureMatch.UNCHECKED, null, null,
        List.of(), List.of(Finding.error(FindingCode.MALFORMED, message)), now);
  }

  /** True when no finding is an {@link Finding.Severity#ERROR error}: nothing seen here makes Agora refuse it. */
  public boolean usable() {
    return findings.stream().noneMatch(f -> f.severity() == Finding.Severity.ERROR);
  }

  public boolean has(FindingCode code) {
    return findings.stream().anyMatch(f -> f.code() == code);
  }

  /**
   * JSON-ready (String, Number, Boolean, List and Map values only; absent fields left out), in this order:
   * {@code usable}, {@code version}, {@code appId}, {@code issuedAt}, {@code issuedAtIso}, {@code expiresAt},
   * {@code expiresAtIso}, {@code expiresIn}, {@code lifetimeSeconds}, {@code salt}, {@code signedWith},
   * {@code channelCrc32}, {@code userCrc32}, {@code services}, {@code findings}, {@code inspectedAt},
   * {@code inspectedAtIso}.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("usable", usable());
    putIfPresent(map, "version", version);
    putIfPresent(map, "appId", appId);
    if (issuedAt != null) {
      putTime(map, "issuedAt", issuedAt);
    }
    if (expiresAt != null) {
      putTime(map, "expiresAt", expiresAt);
      map.put("expiresIn", expiresIn);
    }
    putIfPresent(map, "lifetimeSeconds", lifetimeSeconds);
    putIfPresent(map, "salt", salt);
    map.put("signedWith", signedWith.label());
    putIfPresent(map, "channelCrc32", channelCrc32);
    putIfPresent(map, "userCrc32", userCrc32);
    map.put("services", services.stream().map(InspectedService::toMap).toList());
    map.put("findings", findings.stream().map(Finding::toMap).toList());
    putTime(map, "inspectedAt", inspectedAt);
    return map;
  }

  static void putIfPresent(Map<String, Object> map, String key, Object value) {
    if (value != null) {
      map.put(key, value);
    }
  }

  /** {@code key} as epoch seconds and {@code keyIso} as an ISO-8601 instant. */
  static void putTime(Map<String, Object> map, String key, long epochSeconds) {
    map.put(key, epochSeconds);
    map.put(key + "Iso", iso(epochSeconds));
  }

  static String iso(long epochSeconds) {
    return Instant.ofEpochSecond(epochSeconds).toString();
  }
}
