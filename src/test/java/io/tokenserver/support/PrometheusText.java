package io.tokenserver.support;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The samples of a Prometheus text exposition, keyed by {@code name{labels}} exactly as written, for tests
 * that read a few values. It is not a format check: PromtoolCheckTest runs {@code promtool check metrics} on
 * the same scrape and PrometheusScrapeEndToEndTest has a real Prometheus scrape it. (The Prometheus Java
 * client's text-format module only writes the format; no maintained Java parser exists to use instead.)
 * A line this reader does not understand fails the test rather than being misread.
 */
public final class PrometheusText {

  /** {@code name{labels} value}, no timestamp: what Micrometer writes. */
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{.*\\})?) (-?[0-9.eE+-]+|NaN|[+-]Inf)");

  private final Map<String, Double> samples = new LinkedHashMap<>();

  public PrometheusText(String exposition) {
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      if (!sample.matches()) {
        throw new AssertionError("not a sample line this reader understands: " + line);
      }
      String value = sample.group(2);
      samples.put(sample.group(1), value.endsWith("Inf")
          ? (value.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
          : Double.parseDouble(value));
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
