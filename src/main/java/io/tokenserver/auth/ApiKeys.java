package io.tokenserver.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The configured API keys, matched in constant time: both sides are hashed to SHA-256 first so the
 * comparison neither stops at the first differing byte nor at a length difference, and every key is
 * compared so the time does not tell which one matched.
 */
public final class ApiKeys {

  private final byte[][] digests;

  public ApiKeys(List<String> keys) {
    digests = new byte[keys.size()][];
    for (int i = 0; i < keys.size(); i++) {
      digests[i] = sha256(keys.get(i));
    }
  }

  /** The index of the matching key (a safe caller id), or -1. */
  public int indexOf(String presented) {
    if (presented == null) {
      return -1;
    }
    byte[] digest = sha256(presented);
    int match = -1;
    for (int i = 0; i < digests.length; i++) {
      if (MessageDigest.isEqual(digests[i], digest)) {
        match = i;
      }
    }
    return match;
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
}
