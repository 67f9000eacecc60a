package io.tokenserver.inspect;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One thing that explains, or may explain, a failed join. {@code service} and {@code privilege} name what the
 * finding is about when it is not the token as a whole, else they are null.
 */
public record Finding(FindingCode code, Severity severity, String message, String service, String privilege) {

  /** {@link #ERROR}: Agora refuses the token (for this use); {@link #WARNING}: it may, or it is risky. */
  public enum Severity {
    ERROR, WARNING;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Finding {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(message, "message");
  }

  static Finding error(FindingCode code, String message) {
    return new Finding(code, Severity.ERROR, message, null, null);
  }

  /** JSON-ready: {@code code}, {@code severity}, {@code message}, and {@code service}/{@code privilege} when set. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("code", code.code());
    map.put("severity", severity.label());
    map.put("message", message);
    Inspection.putIfPresent(map, "service", service);
    Inspection.putIfPresent(map, "privilege", privilege);
    return map;
  }
}
