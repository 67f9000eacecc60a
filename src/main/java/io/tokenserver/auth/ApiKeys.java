package io.tokenserver.auth;

import io.tokenserver.config.AuthConfig;
import io.tokenserver.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The configured API keys, matched in constant time: both sides are hashed to SHA-256 first so the
 * comparison neither stops at the first differing byte nor at a length difference, and every key is
 * compared so the time does not tell which one matched.
 */
public final class ApiKeys {

  private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);

  private final byte[][] digests;

  public ApiKeys(List<String> keys) {
    digests = new byte[keys.size()][];
    for (int i = 0; i < keys.size(); i++) {
      digests[i] = sha256(keys.get(i));
    }
  }

  /**
   * The caller id of the matching key, or null: a short digest, not the key, and stable when other keys are
   * added or removed (rate-limit buckets stay with their key).
   */
  public String callerId(String presented) {
    if (presented == null) {
      return null;
    }
    byte[] digest = sha256(presented);
    byte[] match = null;
    for (byte[] candidate : digests) {
      if (MessageDigest.isEqual(candidate, digest)) {
        match = candidate;
      }
    }
    return match == null ? null : HexFormat.of().formatHex(match, 0, 6);
  }

  int size() {
    return digests.length;
  }

  private boolean sameKeys(ApiKeys other) {
    return Arrays.deepEquals(digests, other.digests);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  @Override
  public String toString() {
    return "ApiKeys[" + digests.length + " keys]";
  }

  /**
   * The keys in force: {@code API_KEYS} plus {@code API_KEYS_FILE}, the file re-read every {@code interval} (a
   * mounted Secret changes in place), so that a removed key is refused without a restart. Content that is
   * unreadable or invalid is rejected, logged once (never a key) and the previous keys keep serving.
   */
  static final class InForce {

    private final Vertx vertx;
    private final AuthConfig auth;
    private volatile ApiKeys keys;
    private boolean reading;
    private String lastFailure;

    private InForce(Vertx vertx, AuthConfig auth, ApiKeys keys) {
      this.vertx = vertx;
      this.auth = auth;
      this.keys = keys;
    }

    static Future<InForce> load(Vertx vertx, AuthConfig auth, Duration interval) {
      return vertx.executeBlocking(() -> new ApiKeys(auth.currentApiKeys())).map(keys -> {
        InForce inForce = new InForce(vertx, auth, keys);
        if (auth.apiKeysFile() != null) {
          vertx.setPeriodic(interval.toMillis(), id -> inForce.reload());
        }
        return inForce;
      });
    }

    ApiKeys get() {
      return keys;
    }

    private void reload() {
      if (reading) {
        return;
      }
      reading = true;
      vertx.executeBlocking(() -> new ApiKeys(auth.currentApiKeys())).onComplete(read -> {
        reading = false;
        if (read.succeeded()) {
          lastFailure = null;
          if (!read.result().sameKeys(keys)) {
            keys = read.result();
            LOG.info("API keys reloaded from API_KEYS_FILE: {} keys in force", keys.size());
          }
        } else {
          String reason = read.cause() instanceof ConfigException e ? e.getMessage()
              : read.cause().getClass().getSimpleName();
          if (!reason.equals(lastFailure)) {
            lastFailure = reason;
            LOG.error("rejected new API_KEYS_FILE content ({}); still serving the previous keys", reason);
          }
        }
      });
    }
  }
}
