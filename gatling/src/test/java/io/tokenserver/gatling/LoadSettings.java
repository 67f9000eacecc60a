package io.tokenserver.gatling;

import io.gatling.javaapi.core.Assertion;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

import static io.gatling.javaapi.core.CoreDsl.global;

/**
 * The load shape and latency budgets, each a system property with a default:
 * {@code -DbaseUrl}, {@code -Drate} (requests/s), {@code -Dduration} (seconds), {@code -Dp99Ms},
 * {@code -Dp999Ms}, {@code -DmaxFailedPercent}.
 */
final class LoadSettings {

  final String baseUrl = System.getProperty("baseUrl", "http://127.0.0.1:8080");
  final int rate;
  final int durationSeconds;
  final int p99Ms = integer("p99Ms", 10);
  final int p999Ms = integer("p999Ms", 50);
  final double maxFailedPercent = Double.parseDouble(System.getProperty("maxFailedPercent", "0.1"));

  LoadSettings(int defaultRate, int defaultDurationSeconds) {
    rate = integer("rate", defaultRate);
    durationSeconds = integer("duration", defaultDurationSeconds);
    requireLoopbackUnlessAllowed(baseUrl);
  }

  static int integer(String name, int fallback) {
    String value = System.getProperty(name);
    return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
  }

  /** The budgets: a broken one fails the Maven run. Gatling measures whole milliseconds. */
  List<Assertion> budgets() {
    return List.of(
        global().responseTime().percentile(99.0).lt(p99Ms),
        global().responseTime().percentile(99.9).lt(p999Ms),
        global().failedRequests().percent().lt(maxFailedPercent));
  }

  @Override
  public String toString() {
    return "baseUrl=" + baseUrl + " rate=" + rate + "/s duration=" + durationSeconds + "s budgets: p99<" + p99Ms
        + "ms p99.9<" + p999Ms + "ms failed<" + maxFailedPercent + "%";
  }

  /** A load test aims at our own server: another host needs -DallowRemoteTarget=true on purpose. */
  private static void requireLoopbackUnlessAllowed(String baseUrl) {
    if (Boolean.getBoolean("allowRemoteTarget")) {
      return;
    }
    String host = URI.create(baseUrl).getHost();
    try {
      if (host == null || !InetAddress.getByName(host).isLoopbackAddress()) {
        throw new IllegalArgumentException("baseUrl " + baseUrl + " is not a loopback address; "
            + "pass -DallowRemoteTarget=true to load a server you own elsewhere");
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cannot resolve the host of baseUrl " + baseUrl, e);
    }
  }
}
