package io.tokenserver.support;

import java.util.LinkedHashMap;
import java.util.Map;

/** The samples of a Prometheus text exposition, keyed by {@code name{labels}} exactly as written. */
public final class PrometheusText {

  private final Map<String, Double> samples = new LinkedHashMap<>();

  public PrometheusText(String exposition) {
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int split = line.lastIndexOf(' ');
      samples.put(line.substring(0, split), Double.parseDouble(line.substring(split + 1)));
    }
  }

  /** The value of one sample, or null when the exposition has no such series. */
  public Double value(String series) {
    return samples.get(series);
  }

  public Map<String, Double> samples() {
    return samples;
  }
}
