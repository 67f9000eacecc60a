package io.tokenserver.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may call the token routes ({@code AUTH_MODE}) and how callers prove it. Secrets (API keys, the JWT
 * secret) are held here but never printed: {@link #toString()} redacts them.
 *
 * @param jwks a JWKS document read from a file, or null
 * @param jwksUrl a JWKS document's http(s) address, fetched at startup and refreshed, or null
 */
public record AuthConfig(
    Mode mode,
    List<String> apiKeys,
    String jwtSecret,
    String jwtPublicKeyPem,
    JsonObject jwks,
    String jwksUrl,
    String jwtIssuer,
    List<String> jwtAudience,
    String uidClaim,
    String channelsClaim,
    String publisherClaim,
    int jwtLeewaySeconds) {

  /** The shortest API key or HS256 secret accepted: 128 bits of hex, 256 bits for HMAC keys. */
  static final int MIN_API_KEY_LENGTH = 16;
  static final int MIN_JWT_SECRET_LENGTH = 32;

  public enum Mode { NONE, API_KEY, JWT }

  public AuthConfig {
    apiKeys = List.copyOf(apiKeys);
    jwtAudience = List.copyOf(jwtAudience);
  }

  /** No caller authentication: the drop-in default. */
  public static AuthConfig none() {
    return new AuthConfig(Mode.NONE, List.of(), null, null, null, null, null, List.of(), "sub", null, null, 0);
  }

  static AuthConfig from(ServerConfig.Reader in) {
    Mode mode = mode(in.text("AUTH_MODE"));
    String uidClaim = in.text("JWT_UID_CLAIM");
    int leeway = in.integer("JWT_LEEWAY_SECONDS", 0, 300);
    List<String> apiKeys = mode == Mode.API_KEY ? apiKeys(in) : List.of();

    String secret = null;
    String pem = null;
    JsonObject jwks = null;
    String jwksUrl = null;
    if (mode == Mode.JWT) {
      secret = rawText(in, "JWT_SECRET");
      String pemFile = in.optionalText("JWT_PUBLIC_KEY_FILE");
      String jwksSource = in.optionalText("JWT_JWKS");
      int sources = (secret == null ? 0 : 1) + (pemFile == null ? 0 : 1) + (jwksSource == null ? 0 : 1);
      if (sources != 1) {
        throw new ConfigException("AUTH_MODE", "jwt needs exactly one of JWT_SECRET, JWT_PUBLIC_KEY_FILE, JWT_JWKS");
      }
      if (secret != null && secret.length() < MIN_JWT_SECRET_LENGTH) {
        throw new ConfigException("JWT_SECRET", "must be at least " + MIN_JWT_SECRET_LENGTH + " characters");
      }
      if (pemFile != null) {
        pem = CredentialFiles.read("JWT_PUBLIC_KEY_FILE", Path.of(pemFile));
        if (!pem.contains("-----BEGIN PUBLIC KEY-----")) {
          throw new ConfigException("JWT_PUBLIC_KEY_FILE", "must hold a PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
      }
      if (jwksSource != null) {
        if (jwksSource.startsWith("https://") || jwksSource.startsWith("http://")) {
          jwksUrl = jwksSource;
        } else {
          jwks = jwksDocument(CredentialFiles.read("JWT_JWKS", Path.of(jwksSource)));
        }
      }
    }
    return new AuthConfig(mode, apiKeys, secret, pem, jwks, jwksUrl, in.optionalText("JWT_ISSUER"),
        in.list("JWT_AUDIENCE"), uidClaim, in.optionalText("JWT_CHANNELS_CLAIM"),
        in.optionalText("JWT_PUBLISHER_CLAIM"), leeway);
  }

  /** Parses and checks a JWKS document: a JSON object whose {@code keys} array is not empty. */
  public static JsonObject jwksDocument(String text) {
    try {
      JsonObject document = new JsonObject(text);
      if (document.getJsonArray("keys") == null || document.getJsonArray("keys").isEmpty()) {
        throw new ConfigException("JWT_JWKS", "must be a JWKS document with a non-empty keys array");
      }
      return document;
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException("JWT_JWKS", "must be a JWKS document (JSON with a keys array)");
    }
  }

  private static Mode mode(String text) {
    return switch (text.toLowerCase()) {
      case "none" -> Mode.NONE;
      case "api-key" -> Mode.API_KEY;
      case "jwt" -> Mode.JWT;
      default -> throw new ConfigException("AUTH_MODE", "must be none, api-key or jwt");
    };
  }

  /** {@code API_KEYS} (comma-separated) plus {@code API_KEYS_FILE} (one per line, # comments). */
  private static List<String> apiKeys(ServerConfig.Reader in) {
    List<String> keys = new ArrayList<>(in.list("API_KEYS"));
    String file = in.optionalText("API_KEYS_FILE");
    if (file != null) {
      for (String line : CredentialFiles.read("API_KEYS_FILE", Path.of(file)).split("\n")) {
        String key = line.trim();
        if (!key.isEmpty() && !key.startsWith("#")) {
          keys.add(key);
        }
      }
    }
    if (keys.isEmpty()) {
      throw new ConfigException("API_KEYS", "must name at least one key (or API_KEYS_FILE) when AUTH_MODE is api-key");
    }
    for (String key : keys) {
      if (key.length() < MIN_API_KEY_LENGTH || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new ConfigException("API_KEYS", "each key must be at least " + MIN_API_KEY_LENGTH
            + " printable ASCII characters without spaces or commas");
      }
    }
    return keys;
  }

  /** Secrets are taken as written: no trimming of what may be part of the value. */
  private static String rawText(ServerConfig.Reader in, String key) {
    Object value = in.values().getValue(key);
    return value == null || value.toString().isEmpty() ? null : value.toString();
  }

  @Override
  public String toString() {
    return "AuthConfig[mode=" + mode + ", apiKeys=" + apiKeys.size() + " (redacted), jwtIssuer=" + jwtIssuer
        + ", jwtAudience=" + jwtAudience + ", uidClaim=" + uidClaim + ", channelsClaim=" + channelsClaim
        + ", publisherClaim=" + publisherClaim + "]";
  }
}
