package io.tokenserver.auth;

import io.tokenserver.token.TokenRequest;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Who is asking, once authenticated: the key its rate limit is counted under, and what it may mint.
 * The key never holds a secret (an API key's index, a JWT subject, a client address).
 */
public final class Caller {

  private final String rateLimitKey;
  private final Map<String, Object> claims;
  private final AccessRules rules;

  private Caller(String rateLimitKey, Map<String, Object> claims, AccessRules rules) {
    this.rateLimitKey = rateLimitKey;
    this.claims = claims;
    this.rules = rules;
  }

  /** No authentication: counted by client address, may mint anything. */
  public static Caller anonymous(String clientKey) {
    return new Caller("addr:" + clientKey, null, null);
  }

  /** A holder of the API key at {@code index}: a trusted backend, may mint anything. */
  public static Caller apiKey(int index) {
    return new Caller("key:" + index, null, null);
  }

  /** A signed-in end user: counted by subject, may mint only what {@code rules} allow for its claims. */
  public static Caller jwt(String subject, Map<String, Object> claims, AccessRules rules) {
    return new Caller("sub:" + subject, Collections.unmodifiableMap(new HashMap<>(claims)), rules);
  }

  public String rateLimitKey() {
    return rateLimitKey;
  }

  /** Null when this caller may mint {@code request}; otherwise why not (a 403 message naming the rule). */
  public String denial(TokenRequest request) {
    return rules == null ? null : rules.denial(claims, request);
  }

  @Override
  public String toString() {
    return "Caller[" + rateLimitKey + "]";
  }
}
