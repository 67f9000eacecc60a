package io.tokenserver.metrics;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.RawHttp;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests without credentials, with made-up methods and paths, leave the number of series and the heap
 * where they were: no value a client chooses becomes a label value (methods outside the known set are
 * {@code OTHER}, paths are never labels).
 */
class MetricLabelBoundsTest {

  private static final int REQUESTS = 5_000;
  private static final int PIPELINED = 100;

  @Test
  void madeUpMethodsAndPathsAddNoSeries() throws Exception {
    try (RunningServer server = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("AUTH_MODE", "api-key").put("API_KEYS", "key-0123456789abcdef")
        .put("RATE_LIMIT_PER_SECOND", 50)))) {
      send(server, 0, PIPELINED); // the OTHER series and every status they get exist from here on
      long heapBefore = usedHeapAfterGc(); // first: a collection adds its own jvm_gc_pause series
      int seriesBefore = series(server);

      send(server, PIPELINED, REQUESTS);

      String scrape = server.management("/metrics").bodyAsString();
      assertThat(series(server)).as("series after %d made-up requests", REQUESTS).isEqualTo(seriesBefore);
      assertThat(scrape).contains("method=\"OTHER\"").doesNotContain("M0001").doesNotContain("/made-up");
      assertThat(usedHeapAfterGc() - heapBefore).as("heap growth in bytes").isLessThan(16L << 20);
    }
  }

  /** Requests {@code from} to {@code to}, each with its own method and path, pipelined on keep-alive connections. */
  private static void send(RunningServer server, int from, int to) throws Exception {
    for (int start = from; start < to; start += PIPELINED) {
      try (RawHttp http = RawHttp.connect(server.port(), 10_000)) {
        StringBuilder round = new StringBuilder();
        int end = Math.min(to, start + PIPELINED);
        IntStream.range(start, end).forEach(i -> round.append(String.format(
            "M%05dX /made-up/%d/path HTTP/1.1\r\nHost: x\r\n\r\n", i, i)));
        http.send(round.toString());
        for (int i = start; i < end; i++) {
          assertThat(http.read().status()).isBetween(400, 499);
        }
      }
    }
  }

  private static int series(RunningServer server) {
    return (int) server.management("/metrics").bodyAsString().lines()
        // JVM meters gain series by themselves (a new kind of collection): not the client's doing.
        .filter(line -> !line.isEmpty() && !line.startsWith("#") && !line.startsWith("jvm_"))
        .map(line -> line.substring(0, line.lastIndexOf(' ')))
        // Values that move by themselves (JVM, process) are still one series each: only the names count.
        .distinct().count();
  }

  private static long usedHeapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
