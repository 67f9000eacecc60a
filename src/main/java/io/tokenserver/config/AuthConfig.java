package io.tokenserver.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import io.netty.util.NetUtil;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Who may call the token routes ({@code AUTH_MODE}) and how callers prove it. Secrets (API keys, the JWT
 * secret) are held here but never printed: {@link #toString()} redacts them.
 *
 * @param apiKeys the keys of {@code API_KEYS}; those of the file are read by {@link #currentApiKeys()}
 * @param apiKeysFile {@code API_KEYS_FILE}, re-read while running so a removed key stops working, or null
 * @param jwks a JWKS document read from a file, or null
 * @param jwksUrl a JWKS document's https address (http only on loopback), fetched at startup and refreshed, or null
 * @param projectClaim {@code JWT_PROJECT_CLAIM}: the claim naming the project(s) a JWT caller may use, or null
 *     when every project may be used
 * @param chatAppTokens {@code CHAT_APP_TOKENS}: Chat app tokens for every caller; when false only API-key callers
 * @param jwtMaxTokenLifetimeSeconds {@code JWT_MAX_TOKEN_LIFETIME}: the longest a token minted for a JWT caller
 *     lives; 0 means the JWT's own remaining lifetime
 * @param jwtCacheMaxAgeSeconds {@code JWT_CACHE_MAX_AGE_SECONDS}: how long a verified JWT is replayed from the
 *     cache before it is verified again (never past its {@code exp}); 0 turns the cache off
 */
public record AuthConfig(
    Mode mode,
    List<String> apiKeys,
    Path apiKeysFile,
    String jwtSecret,
    String jwtPublicKeyPem,
    JsonObject jwks,
    String jwksUrl,
    String jwtIssuer,
    List<String> jwtAudience,
    String uidClaim,
    String channelsClaim,
    String publisherClaim,
    String projectClaim,
    int jwtLeewaySeconds,
    boolean chatAppTokens,
    int jwtMaxTokenLifetimeSeconds,
    int jwtCacheMaxAgeSeconds) {

  /** The shortest API key or HS256 secret accepted: 128 bits of hex, 256 bits for HMAC keys. */
  static final int MIN_API_KEY_LENGTH = 16;
  static final int MIN_JWT_SECRET_LENGTH = 32;
  /** A verified JWT is trusted without a new check for at most this long (a revoked key stops working by then). */
  static final int MAX_JWT_CACHE_AGE_SECONDS = 300;

  public enum Mode { NONE, API_KEY, JWT }

  public AuthConfig {
    apiKeys = List.copyOf(apiKeys);
    jwtAudience = List.copyOf(jwtAudience);
  }

  /** No caller authentication: the drop-in default. */
  public static AuthConfig none() {
    return new AuthConfig(Mode.NONE, List.of(), null, null, null, null, null, null, List.of(), "sub", null, null, null,
        0, false,
        0, 0);
  }

  /** API-key authentication that admits {@code key} alone, for every project: the start-up warm-up's credential. */
  public static AuthConfig apiKey(String key) {
    return new AuthConfig(Mode.API_KEY, List.of(key), null, null, null, null, null, null, List.of(), "sub", null, null,
        null, 0, false, 0, 0);
  }

  static AuthConfig from(ServerConfig.Reader in) {
    Mode mode = mode(in.text("AUTH_MODE"));
    String uidClaim = in.text("JWT_UID_CLAIM");
    int leeway = in.integer("JWT_LEEWAY_SECONDS", 0, 300);
    List<String> apiKeys = mode == Mode.API_KEY ? in.list("API_KEYS") : List.of();
    Path apiKeysFile = mode == Mode.API_KEY && in.optionalText("API_KEYS_FILE") != null
        ? Path.of(in.optionalText("API_KEYS_FILE")) : null;

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
          jwksUrl = jwksUrl(jwksSource);
        } else {
          jwks = jwksDocument(CredentialFiles.read("JWT_JWKS", Path.of(jwksSource)));
        }
      }
      // A public key verifies tokens an identity provider issued for any of its clients: without an
      // audience check, a token meant for another application would be accepted here.
      if (secret == null && in.list("JWT_AUDIENCE").isEmpty()) {
        throw new ConfigException("JWT_AUDIENCE", "is required with JWT_PUBLIC_KEY_FILE or JWT_JWKS");
      }
      if (jwksUrl != null && in.optionalText("JWT_ISSUER") == null) {
        throw new ConfigException("JWT_ISSUER", "is required with a JWT_JWKS URL");
      }
    }
    int maxLifetime = in.integer("JWT_MAX_TOKEN_LIFETIME", 0, ServerConfig.AGORA_MAX_EXPIRY_SECONDS);
    return new AuthConfig(mode, apiKeys, apiKeysFile, secret, pem, jwks, jwksUrl, in.optionalText("JWT_ISSUER"),
        in.list("JWT_AUDIENCE"), uidClaim, in.optionalText("JWT_CHANNELS_CLAIM"),
        in.optionalText("JWT_PUBLISHER_CLAIM"), in.optionalText("JWT_PROJECT_CLAIM"), leeway, in.bool("CHAT_APP_TOKENS"), maxLifetime,
        in.integer("JWT_CACHE_MAX_AGE_SECONDS", 0, MAX_JWT_CACHE_AGE_SECONDS));
  }

  /** An https URL; plain http only to a loopback host (a test or a sidecar), never across a network. */
  private static String jwksUrl(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new ConfigException("JWT_JWKS", "is not a valid URL");
    }
    String host = uri.getHost();
    if (host == null) {
      throw new ConfigException("JWT_JWKS", "is not a valid URL");
    }
    if ("http".equalsIgnoreCase(uri.getScheme()) && !isLoopback(host)) {
      throw new ConfigException("JWT_JWKS", "must be an https URL (http only for a loopback host)");
    }
    return text;
  }

  /** Loopback by its literal name or address; never resolved. */
  public static boolean isLoopback(String host) {
    String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if ("localhost".equalsIgnoreCase(literal)) {
      return true;
    }
    byte[] address = NetUtil.createByteArrayFromIpAddressString(literal);
    if (address == null) {
      return false;
    }
    if (address.length == 4) {
      return (address[0] & 0xff) == 127;
    }
    for (int i = 0; i < 15; i++) {
      if (address[i] != 0) {
        return false;
      }
    }
    return address[15] == 1;
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

  /**
   * An API key and the projects it may sign for; an empty set means every project.
   */
  public record ApiKey(String key, Set<String> projects) {

    public ApiKey {
      projects = Set.copyOf(projects);
    }

    @Override
    public String toString() {
      return "ApiKey[projects=" + projects + "]"; // never the key
    }
  }

  /**
   * The keys of {@code API_KEYS} ({@code inline}, for every project) and of the content of {@code API_KEYS_FILE}
   * ({@code fileContent}, or null): one key a line, optionally followed by the projects it is bound to
   * ({@code KEY eu,us}). Checked: at least one key, each long enough and printable, and bound only to projects
   * that {@code projectNames} holds. Messages never quote a key.
   */
  private static List<ApiKey> apiKeys(List<String> inline, String fileContent, Set<String> projectNames) {
    List<ApiKey> keys = new ArrayList<>();
    inline.forEach(key -> keys.add(new ApiKey(key, Set.of())));
    if (fileContent != null) {
      for (String line : fileContent.split("\n")) {
        String entry = line.trim();
        if (entry.isEmpty() || entry.startsWith("#")) {
          continue;
        }
        String[] parts = entry.split("\\s+");
        if (parts.length > 2) {
          throw new ConfigException("API_KEYS_FILE", "lines must be a key, optionally followed by its projects (KEY eu,us)");
        }
        Set<String> projects = parts.length == 1 ? Set.of()
            : Set.copyOf(Arrays.stream(parts[1].split(",")).map(String::trim).filter(p -> !p.isEmpty()).toList());
        for (String project : projects) {
          if (!projectNames.contains(project)) {
            throw new ConfigException("API_KEYS_FILE", "binds a key to a project that is not configured");
          }
        }
        keys.add(new ApiKey(parts[0], projects));
      }
    }
    if (keys.isEmpty()) {
      throw new ConfigException("API_KEYS", "must name at least one key (or API_KEYS_FILE) when AUTH_MODE is api-key");
    }
    for (ApiKey key : keys) {
      if (key.key().length() < MIN_API_KEY_LENGTH || !key.key().chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new ConfigException("API_KEYS", "each key must be at least " + MIN_API_KEY_LENGTH
            + " printable ASCII characters without spaces or commas");
      }
    }
    return keys;
  }

  /**
   * Every API key in force now: {@code API_KEYS} plus the current content of {@code API_KEYS_FILE}, checked
   * against the configured {@code projectNames}. Reads the file: not on an event loop.
   */
  public List<ApiKey> currentApiKeys(Set<String> projectNames) {
    return apiKeys(apiKeys, apiKeysFile == null ? null : CredentialFiles.read("API_KEYS_FILE", apiKeysFile),
        projectNames);
  }

  /** Checks the API keys at startup, once the projects are known. */
  void checkApiKeys(Set<String> projectNames) {
    if (mode == Mode.API_KEY) {
      currentApiKeys(projectNames);
    }
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
        + ", publisherClaim=" + publisherClaim + ", projectClaim=" + projectClaim + ", chatAppTokens=" + chatAppTokens + "]";
  }
}
