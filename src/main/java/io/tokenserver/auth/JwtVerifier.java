package io.tokenserver.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.CachingJWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tokenserver.config.AuthConfig;
import io.tokenserver.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Verifies bearer JWTs with vertx-auth-jwt against an HS256 secret, a PEM public key or a JWKS document.
 * Only the algorithms of the configured keys are accepted, so {@code alg: none} and algorithm confusion
 * fail; {@code exp} is required (vertx-auth-jwt checks it only when present); {@code iss}/{@code aud} are
 * checked when configured.
 *
 * <p>A JWKS from a URL is fetched and cached by Nimbus' {@link JWKSourceBuilder}, which blocks, so it is only
 * asked on the {@code jwks} worker: in the background at startup (retried with backoff; the server is not
 * ready until it has keys), every {@link #JWKS_CHECK} (it fetches once its copy is {@link #JWKS_REFRESH} old),
 * and when a token names a key id the set does not hold (a key rotated in early); it fetches at most twice per
 * {@link #JWKS_FETCH_INTERVAL}, retries a failed fetch once, and each set it fetches is put in force here.
 * A failed fetch keeps the keys in force. Keys of a type it cannot use are skipped, and symmetric
 * ({@code oct}) keys from a URL are refused: a secret that travelled over the network is no secret.
 *
 * <p>Verified tokens are cached by their SHA-256 until their {@code exp}, but for at most
 * {@code JWT_CACHE_MAX_AGE_SECONDS}, so a replayed token costs a hash and a lookup instead of a signature
 * verification. Each entry carries the {@code kid} it was verified with: when a key leaves the key set, the
 * tokens it verified are verified again (and refused).
 */
public final class JwtVerifier implements MeterBinder {

  private static final Logger LOG = LoggerFactory.getLogger(JwtVerifier.class);
  static final Duration JWKS_REFRESH = Duration.ofMinutes(10);
  static final Duration JWKS_CHECK = Duration.ofMinutes(1);
  static final Duration JWKS_FETCH_INTERVAL = Duration.ofSeconds(30);
  static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(60);
  static final int CACHE_SIZE = 10_000;
  private static final int JWKS_TIMEOUT_MILLIS = 10_000;
  private static final int MAX_JWKS_BYTES = 1 << 20;
  private static final JWKSelector ANY_KEY = new JWKSelector(new JWKMatcher.Builder().build());

  private final Vertx vertx;
  private final AuthConfig config;
  private final AtomicReference<JWTAuth> auth = new AtomicReference<>();
  private volatile Set<String> keyIds = Set.of();
  private final Clock clock;
  private volatile long loadedAtMillis;
  /** With a JWKS URL: the key source and the one thread that may block on it; null otherwise. */
  private volatile JWKSource<SecurityContext> keySource;
  private final WorkerExecutor jwksWorker;
  private final LongAdder verifications = new LongAdder();
  private final Cache<String, Verified> verified;

  /** A verified token's claims and the id of the key that verified it (null without a JWKS, or without kid). */
  private record Verified(JsonObject claims, String kid) {
  }

  private JwtVerifier(Vertx vertx, AuthConfig config, Clock clock) {
    this.vertx = vertx;
    this.config = config;
    this.clock = clock;
    this.loadedAtMillis = clock.millis();
    Duration maxAge = Duration.ofSeconds(config.jwtCacheMaxAgeSeconds());
    this.verified = Caffeine.newBuilder()
        .maximumSize(CACHE_SIZE)
        .expireAfter(Expiry.<String, Verified>creating((token, entry) -> {
          Duration left = Duration.ofSeconds(Math.max(0, entry.claims().getLong("exp") - clock.millis() / 1000));
          return left.compareTo(maxAge) < 0 ? left : maxAge;
        }))
        .executor(Runnable::run)
        .build();
    this.jwksWorker = config.jwksUrl() == null ? null : vertx.createSharedWorkerExecutor("jwks", 1);
  }

  /** Fails only on a key that can never work; a JWKS URL that cannot be fetched yet is retried instead. */
  public static Future<JwtVerifier> create(Vertx vertx, AuthConfig config) {
    return create(vertx, config, Clock.systemUTC());
  }

  /**
   * The same, reading the time for the cache and the key set's age from {@code clock} (tests pass a fake one;
   * vertx-auth-jwt checks {@code exp} against the system clock itself).
   */
  public static Future<JwtVerifier> create(Vertx vertx, AuthConfig config, Clock clock) {
    JwtVerifier verifier = new JwtVerifier(vertx, config, clock);
    if (config.jwksUrl() == null) {
      try {
        verifier.use(config.jwks());
        return Future.succeededFuture(verifier);
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    verifier.loadUntilReady(Duration.ofSeconds(1));
    return Future.succeededFuture(verifier);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("token.server.jwt.verifications", verifications, LongAdder::sum)
        .description("JWT signature verifications (a replayed token found in the cache costs none)")
        .register(registry);
    if (config.jwksUrl() != null) {
      Gauge.builder("token.server.jwks.age", this, v -> (v.clock.millis() - v.loadedAtMillis) / 1000.0)
          .description("Seconds since the JWKS was last fetched (since startup while it never was)")
          .baseUnit("seconds")
          .register(registry);
    }
  }

  /** True once there are keys to verify with. */
  public boolean ready() {
    return auth.get() != null;
  }

  /** The claims of a token verified before and not expired since; null otherwise. */
  public JsonObject cached(String token) {
    Verified entry = verified.getIfPresent(digest(token));
    if (entry == null || entry.claims().getLong("exp") <= clock.millis() / 1000) {
      return null;
    }
    return entry.claims();
  }

  /** The verified claims; fails when the token is not signed by a configured key, expired or not for us. */
  public Future<JsonObject> verify(String token) {
    try {
      return verifyWithKeys(token);
    } catch (RuntimeException e) {
      // Whatever a token holds (an exp that is text, a header that is no JSON...) it is refused, never a 500.
      return Future.failedFuture(e);
    }
  }

  private Future<JsonObject> verifyWithKeys(String token) {
    JWTAuth provider = auth.get();
    if (provider == null) {
      return Future.failedFuture(new IllegalStateException("no JWT keys loaded yet"));
    }
    String kid = config.jwksUrl() == null ? null : keyId(token);
    if (kid != null && !keyIds.contains(kid)) {
      // A key the set did not hold: the key source fetches again unless its rate limit says no; then verify
      // with what is in force (a failed fetch leaves it as it was).
      return lookUp(new JWKSelector(new JWKMatcher.Builder().keyID(kid).build()))
          .transform(looked -> verifyWith(auth.get(), token, kid));
    }
    return verifyWith(provider, token, kid);
  }

  private Future<JsonObject> verifyWith(JWTAuth provider, String token, String kid) {
    verifications.increment();
    Future<User> user;
    try {
      user = provider.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return user.compose(JwtVerifier::requireExpiry)
        .onSuccess(claims -> {
          // Not when a key set came in meanwhile: it may have dropped the key.
          if (config.jwtCacheMaxAgeSeconds() > 0 && auth.get() == provider) {
            verified.put(digest(token), new Verified(claims, kid));
          }
        });
  }

  /**
   * Asks the key source until the first key set is in force, then every {@link #JWKS_CHECK}. Each try gets
   * a new key source: its rate limit is meant for the running server, not for the wait for a first set.
   */
  private void loadUntilReady(Duration delay) {
    keySource = keySource();
    lookUp(ANY_KEY).onComplete(looked -> {
      if (ready()) {
        LOG.info("JWT_JWKS loaded: {} keys", keyIds.size());
        vertx.setPeriodic(JWKS_CHECK.toMillis(), id -> lookUp(ANY_KEY).onFailure(failure ->
            LOG.error("JWT_JWKS refresh failed, keeping the previous keys: {}", failure.toString())));
        return;
      }
      LOG.error("JWT_JWKS not loaded, retrying in {} s: {}", delay.toSeconds(),
          looked.failed() ? looked.cause().getMessage() : "no usable keys");
      Duration next = delay.multipliedBy(2).compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : delay.multipliedBy(2);
      vertx.setTimer(delay.toMillis(), id -> loadUntilReady(next));
    });
  }

  /** Asks the key source, which may fetch (blocking): on the {@code jwks} worker, never on an event loop. */
  private Future<List<JWK>> lookUp(JWKSelector selector) {
    JWKSource<SecurityContext> source = keySource;
    return jwksWorker.executeBlocking(() -> source.get(selector, null), false);
  }

  /** Nimbus' cached, rate-limited, retrying source for the JWKS URL; puts each set it fetches in force. */
  private JWKSource<SecurityContext> keySource() {
    DefaultResourceRetriever http = new DefaultResourceRetriever(JWKS_TIMEOUT_MILLIS, JWKS_TIMEOUT_MILLIS, MAX_JWKS_BYTES);
    try {
      return JWKSourceBuilder.<SecurityContext>create(URI.create(config.jwksUrl()).toURL(), http)
          .cache(JWKS_REFRESH.toMillis(), JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT, event -> {
            if (event instanceof CachingJWKSetSource.RefreshCompletedEvent<SecurityContext> fetched) {
              // Only the public keys: an oct key (a shared secret) from a URL is dropped here.
              use(new JsonObject(fetched.getJWKSet().toString(true)));
            }
          })
          .refreshAheadCache(false) // it needs threads of its own; the periodic look-up refreshes instead
          .rateLimited(JWKS_FETCH_INTERVAL.toMillis())
          .retrying(true)
          .build();
    } catch (MalformedURLException e) {
      throw new ConfigException("JWT_JWKS", "is not a valid URL");
    }
  }

  /** Puts the keys of {@code jwks} (or of the secret/PEM) in force. */
  private void use(JsonObject jwks) {
    auth.set(provider(vertx, config, jwks));
    if (jwks != null) {
      Set<String> ids = new HashSet<>();
      for (Object key : jwks.getJsonArray("keys")) {
        if (key instanceof JsonObject jwk && jwk.getString("kid") != null) {
          ids.add(jwk.getString("kid"));
        }
      }
      if (!ids.equals(keyIds)) {
        // Tokens verified by a key that left the set are verified again, and refused; without a kid, all are.
        verified.asMap().values().removeIf(entry -> entry.kid() == null || !ids.contains(entry.kid()));
      }
      keyIds = Set.copyOf(ids);
    }
    loadedAtMillis = clock.millis();
  }

  /** The {@code kid} of a token's header, or null. */
  private static String keyId(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0) {
      return null;
    }
    try {
      byte[] header = Base64.getUrlDecoder().decode(token.substring(0, dot));
      Object kid = new JsonObject(new String(header, StandardCharsets.UTF_8)).getValue("kid");
      return kid instanceof String text ? text : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String digest(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  private static Future<JsonObject> requireExpiry(User user) {
    // vertx-auth-jwt keeps the whole verified payload in the attributes; the principal lacks exp/iat/nbf
    // and echoes the raw token, which must not travel further.
    JsonObject payload = user.attributes().getJsonObject("accessToken");
    JsonObject claims = payload != null ? payload : user.principal().copy();
    claims.remove("access_token");
    if (!(claims.getValue("exp") instanceof Number)) {
      return Future.failedFuture(new IllegalArgumentException("the token has no exp claim"));
    }
    return Future.succeededFuture(claims);
  }

  /** Builds the provider; a key vertx-auth-jwt cannot use is a config error naming its source. */
  private static JWTAuth provider(Vertx vertx, AuthConfig config, JsonObject jwks) {
    JWTAuthOptions options = options(config, jwks);
    try {
      return JWTAuth.create(vertx, options);
    } catch (RuntimeException e) {
      String key = config.jwtSecret() != null ? "JWT_SECRET"
          : config.jwtPublicKeyPem() != null ? "JWT_PUBLIC_KEY_FILE" : "JWT_JWKS";
      throw new ConfigException(key, "cannot be used: " + e.getClass().getSimpleName());
    }
  }

  private static JWTAuthOptions options(AuthConfig config, JsonObject jwks) {
    JWTOptions checks = new JWTOptions().setLeeway(config.jwtLeewaySeconds()).setIgnoreExpiration(false);
    if (config.jwtIssuer() != null) {
      checks.setIssuer(config.jwtIssuer());
    }
    if (!config.jwtAudience().isEmpty()) {
      checks.setAudience(config.jwtAudience());
    }
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(checks);
    if (config.jwtSecret() != null) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.jwtSecret()));
    } else if (config.jwtPublicKeyPem() != null) {
      for (String algorithm : algorithmsOf(config.jwtPublicKeyPem())) {
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(config.jwtPublicKeyPem()));
      }
    } else {
      int usable = 0;
      for (Object entry : jwks.getJsonArray("keys")) {
        if (entry instanceof JsonObject key && !"enc".equals(key.getString("use"))) {
          String algorithm = defaultAlgorithm(key);
          if (algorithm == null) {
            LOG.warn("JWT_JWKS: skipping a key of unsupported type {}",
                key.getString("kty", "").replaceAll("[^A-Za-z0-9-]", "?"));
            continue;
          }
          JsonObject jwk = key.copy();
          if (jwk.getString("alg") == null) {
            jwk.put("alg", algorithm);
          }
          options.addJwk(jwk);
          usable++;
        }
      }
      if (usable == 0) {
        throw new ConfigException("JWT_JWKS", "has no signature keys");
      }
    }
    return options;
  }

  /** RSA keys verify RS256/384/512; EC keys the ES algorithm of their curve. */
  private static List<String> algorithmsOf(String pem) {
    String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
    X509EncodedKeySpec spec;
    try {
      spec = new X509EncodedKeySpec(Base64.getDecoder().decode(base64));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("JWT_PUBLIC_KEY_FILE", "is not valid PEM (base64)");
    }
    try {
      KeyFactory.getInstance("RSA").generatePublic(spec);
      return List.of("RS256", "RS384", "RS512");
    } catch (Exception notRsa) {
      try {
        ECPublicKey key = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(spec);
        int bits = key.getParams().getCurve().getField().getFieldSize();
        return List.of(bits <= 256 ? "ES256" : bits <= 384 ? "ES384" : "ES512");
      } catch (Exception notEc) {
        throw new ConfigException("JWT_PUBLIC_KEY_FILE", "must hold an RSA or EC public key");
      }
    }
  }

  private static String defaultAlgorithm(JsonObject jwk) {
    String kty = jwk.getString("kty", "");
    return switch (kty) {
      case "RSA" -> "RS256";
      case "EC" -> switch (jwk.getString("crv", "P-256")) {
        case "P-384" -> "ES384";
        case "P-521" -> "ES512";
        default -> "ES256";
      };
      case "oct" -> "HS256";
      default -> null;
    };
  }
}
