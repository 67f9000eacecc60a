package io.tokenserver.http;

import io.tokenserver.config.AuthConfig;
import io.tokenserver.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Verifies bearer JWTs with vertx-auth-jwt against an HS256 secret, a PEM public key or a JWKS document.
 * Only the algorithms of the configured keys are accepted, so {@code alg: none} and algorithm confusion
 * fail; {@code exp} is required (vertx-auth-jwt checks it only when present); {@code iss}/{@code aud} are
 * checked when configured. A JWKS fetched from a URL is refreshed every {@link #JWKS_REFRESH}.
 */
final class JwtVerifier {

  private static final Logger LOG = LoggerFactory.getLogger(JwtVerifier.class);
  static final Duration JWKS_REFRESH = Duration.ofMinutes(10);
  private static final int MAX_JWKS_BYTES = 1 << 20;

  private final AtomicReference<JWTAuth> auth;

  private JwtVerifier(JWTAuth auth) {
    this.auth = new AtomicReference<>(auth);
  }

  static Future<JwtVerifier> create(Vertx vertx, AuthConfig config) {
    if (config.jwksUrl() == null) {
      try {
        return Future.succeededFuture(new JwtVerifier(provider(vertx, config, config.jwks())));
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    return fetchJwks(vertx, config.jwksUrl()).map(jwks -> {
      JwtVerifier verifier = new JwtVerifier(provider(vertx, config, jwks));
      vertx.setPeriodic(JWKS_REFRESH.toMillis(), id -> fetchJwks(vertx, config.jwksUrl()).onComplete(fetched -> {
        if (fetched.succeeded()) {
          verifier.auth.set(provider(vertx, config, fetched.result()));
        } else {
          LOG.error("JWT_JWKS refresh failed, keeping the previous keys: {}", fetched.cause().getMessage());
        }
      }));
      return verifier;
    });
  }

  /** The verified claims; fails when the token is not signed by a configured key, expired or not for us. */
  Future<JsonObject> verify(String token) {
    return auth.get().authenticate(new TokenCredentials(token)).compose(JwtVerifier::requireExpiry);
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
          JsonObject jwk = key.copy();
          if (jwk.getString("alg") == null) {
            jwk.put("alg", defaultAlgorithm(jwk));
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
      default -> throw new ConfigException("JWT_JWKS", "has a key of unsupported type " + kty);
    };
  }

  /** Fetches a JWKS document over http(s) on a worker thread; fails with a message naming JWT_JWKS. */
  private static Future<JsonObject> fetchJwks(Vertx vertx, String url) {
    return vertx.executeBlocking(() -> {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build();
      HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        byte[] bytes = body.readNBytes(MAX_JWKS_BYTES + 1);
        if (response.statusCode() != 200) {
          throw new ConfigException("JWT_JWKS", "answered HTTP " + response.statusCode());
        }
        if (bytes.length > MAX_JWKS_BYTES) {
          throw new ConfigException("JWT_JWKS", "is larger than " + MAX_JWKS_BYTES + " bytes");
        }
        return AuthConfig.jwksDocument(new String(bytes, StandardCharsets.UTF_8));
      }
    }, false).recover(failure -> Future.failedFuture(failure instanceof ConfigException
        ? failure : new ConfigException("JWT_JWKS", "cannot be fetched: " + failure)));
  }
}
