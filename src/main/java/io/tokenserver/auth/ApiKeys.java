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
import java.util.Set;

/**
 * The configured API keys, matched in constant time: both sides are hashed to SHA-256 first so the
 * comparison neither stops at the first differing byte nor at a length difference, and every key is
 * compared so the time does not tell which one matched.
 */
public final class ApiKeys {

  private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);

  private final byte[][] digests;
  private final List<Set<String>> projects;
  /** Each key's caller, built once: it holds nothing of a request. */
  private final Caller[] callers;

  public ApiKeys(List<AuthConfig.ApiKey> keys) {
    digests = new byte[keys.size()][];
    callers = new Caller[keys.size()];
    projects = keys.stream().map(AuthConfig.ApiKey::projects).toList();
    for (int i = 0; i < keys.size(); i++) {
      digests[i] = sha256(keys.get(i).key());
      // Its id is a short digest: not the key, and stable when other keys are added or removed, so rate-limit
      // buckets stay with their key.
      callers[i] = Caller.apiKey(HexFormat.of().formatHex(digests[i], 0, 6), projects.get(i));
    }
  }

  /** The caller holding the presented key (may sign for the key's projects, or every one), or null. */
  public Caller caller(String presented) {
    if (presented == null) {
      return null;
    }
    byte[] digest = sha256(presented);
    int match = -1;
    for (int i = 0; i < digests.length; i++) {
      if (MessageDigest.isEqual(digests[i], digest)) {
        match = i;
      }
    }
    return match < 0 ? null : callers[match];
  }

  int size() {
    return digests.length;
  }

  private boolean sameKeys(ApiKeys other) {
    return Arrays.deepEquals(digests, other.digests) && projects.equals(other.projects);
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
  public static final class InForce {

    private final Vertx vertx;
    private final AuthConfig auth;
    private final Set<String> projectNames;
    private volatile ApiKeys keys;
    private boolean reading;
    private String lastFailure;

    private InForce(Vertx vertx, AuthConfig auth, Set<String> projectNames, ApiKeys keys) {
      this.vertx = vertx;
      this.auth = auth;
      this.projectNames = projectNames;
      this.keys = keys;
    }

    /** {@code projectNames}: the configured projects, which a key in the file may be bound to. */
    public static Future<InForce> load(Vertx vertx, AuthConfig auth, Set<String> projectNames, Duration interval) {
      return vertx.executeBlocking(() -> new ApiKeys(auth.currentApiKeys(projectNames))).map(keys -> {
        InForce inForce = new InForce(vertx, auth, projectNames, keys);
        if (auth.apiKeysFile() != null) {
          vertx.setPeriodic(interval.toMillis(), id -> inForce.reload());
        }
        return inForce;
      });
    }

    public ApiKeys get() {
      return keys;
    }

    private void reload() {
      if (reading) {
        return;
      }
      reading = true;
      vertx.executeBlocking(() -> new ApiKeys(auth.currentApiKeys(projectNames))).onComplete(read -> {
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
