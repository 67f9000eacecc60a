package io.tokenserver.token;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The last step of a token, "007" + base64 of the deflated bytes (held in a larger scratch array):
 * AccessToken2Minter's loop versus java.util.Base64. Not a test; run with
 * {@code mvn -B -Pjmh test-compile exec:exec -Djmh.args="Base64EncodingBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Base64EncodingBenchmark {

  private static final byte[] TABLE =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(StandardCharsets.US_ASCII);
  private static final Base64.Encoder ENCODER = Base64.getEncoder();

  /** Deflated sizes of an RTM token (~120 bytes) and of an RTC publisher token (~180 bytes). */
  @Param({"120", "180"})
  int length;
  private byte[] compressed;

  @Setup
  public void setUp() {
    compressed = new byte[512];
    new Random(7).nextBytes(compressed);
  }

  @Benchmark
  public String handWritten() {
    byte[] out = new byte[3 + (length + 2) / 3 * 4];
    out[0] = '0';
    out[1] = '0';
    out[2] = '7';
    int o = 3;
    int i = 0;
    for (; i + 2 < length; i += 3) {
      int bits = (compressed[i] & 0xFF) << 16 | (compressed[i + 1] & 0xFF) << 8 | compressed[i + 2] & 0xFF;
      out[o++] = TABLE[bits >>> 18];
      out[o++] = TABLE[bits >>> 12 & 0x3F];
      out[o++] = TABLE[bits >>> 6 & 0x3F];
      out[o++] = TABLE[bits & 0x3F];
    }
    if (i < length) {
      int bits = (compressed[i] & 0xFF) << 16 | (i + 1 < length ? (compressed[i + 1] & 0xFF) << 8 : 0);
      out[o++] = TABLE[bits >>> 18];
      out[o++] = TABLE[bits >>> 12 & 0x3F];
      out[o++] = i + 1 < length ? TABLE[bits >>> 6 & 0x3F] : (byte) '=';
      out[o] = '=';
    }
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  /** java.util.Base64 through a ByteBuffer view (no copy of the input), then the prefix. */
  @Benchmark
  public String jdkEncoder() {
    ByteBuffer encoded = ENCODER.encode(ByteBuffer.wrap(compressed, 0, length));
    byte[] out = new byte[3 + encoded.remaining()];
    out[0] = '0';
    out[1] = '0';
    out[2] = '7';
    encoded.get(out, 3, encoded.remaining());
    return new String(out, StandardCharsets.ISO_8859_1);
  }
}
