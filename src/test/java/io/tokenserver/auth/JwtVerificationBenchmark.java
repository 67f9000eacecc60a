package io.tokenserver.auth;

import io.tokenserver.config.AuthConfig;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.Jwts;
import io.tokenserver.support.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What a replayed RS256 JWT costs the gate: a full verification (every request, before the cache) versus
 * the cache lookup. Not a test; run with
 * {@code mvn -B -Pjmh test-compile exec:exec -Djmh.args="JwtVerificationBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JwtVerificationBenchmark {

  private Vertx vertx;
  private Jwts jwts;
  private JwtVerifier verifier;
  private String token;

  @Setup
  public void setUp() throws Exception {
    vertx = Vertx.vertx();
    jwts = new Jwts();
    Path pem = Files.createTempFile("bench", ".pem");
    Files.writeString(pem, jwts.publicPem());
    AuthConfig auth = ServerConfig.from(TestConfig.values().put("AUTH_MODE", "jwt")
        .put("JWT_PUBLIC_KEY_FILE", pem.toString()).put("JWT_AUDIENCE", "tokens")).auth();
    verifier = JwtVerifier.create(vertx, auth).await(10, TimeUnit.SECONDS);
    token = jwts.rs256(Jwts.claims("42"));
    verifier.verify(token).await(10, TimeUnit.SECONDS);
  }

  @TearDown
  public void tearDown() {
    jwts.close();
    vertx.close();
  }

  @Benchmark
  public JsonObject fullVerification() throws Exception {
    return verifier.verify(token).await(10, TimeUnit.SECONDS);
  }

  @Benchmark
  public JsonObject cacheLookup() {
    return verifier.cached(token);
  }
}
