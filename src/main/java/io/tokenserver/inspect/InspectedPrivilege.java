package io.tokenserver.inspect;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One privilege of a service. {@code stored} is the value as the token carries it: seconds after the issue
 * time in a 007 token, a Unix timestamp in a 006 token, 0 for "no expiry of its own" in both. {@code expiresAt}
 * (epoch seconds) and {@code expiresIn} (seconds from the inspection, negative when past) are null when
 * {@code stored} is 0. {@code name} is null for a privilege this inspector does not know.
 */
public record InspectedPrivilege(int id, String name, long stored, Long expiresAt, Long expiresIn) {

  public boolean hasOwnExpiry() {
    return expiresAt != null;
  }

  /** A privilege's label in messages: its name, or {@code privilege N}. */
  String label() {
    return name != null ? name : "privilege " + id;
  }

  /**
   * JSON-ready: {@code id}, {@code name}, {@code stored}, then either {@code expiresAt}, {@code expiresAtIso}
   * and {@code expiresIn}, or {@code noExpiry: true}.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("id", id);
    Inspection.putIfPresent(map, "name", name);
    map.put("stored", stored);
    if (expiresAt == null) {
      map.put("noExpiry", true);
    } else {
      Inspection.putTime(map, "expiresAt", expiresAt);
      map.put("expiresIn", expiresIn);
    }
    return map;
  }
}
