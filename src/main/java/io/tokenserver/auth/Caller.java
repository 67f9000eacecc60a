package io.tokenserver.auth;

import io.tokenserver.token.Grant;
import io.tokenserver.token.TokenRequest;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Who is asking, once authenticated: the key its rate limit is counted under, and what it may mint.
 * The key never holds a secret (an API key's digest, a JWT subject, a client address).
 */
public final class Caller {

  /** Where the authentication handlers leave the caller of a request in its routing context. */
  public static final String CONTEXT_KEY = "io.tokenserver.caller";

  private static final String API_KEY_PREFIX = "key:";

  private final String rateLimitKey;
  private final Map<String, Object> claims;
  private final AccessRules rules;
  private final boolean chatAppTokens;
  /** The longest a token minted for this caller may live, in seconds, or 0 for no bound. */
  private final long maxExpirySeconds;
  /** The projects this caller may have tokens signed for; null for every project. */
  private final Set<String> projects;

  private Caller(String rateLimitKey, Map<String, Object> claims, AccessRules rules, boolean chatAppTokens,
      long maxExpirySeconds, Set<String> projects) {
    this.rateLimitKey = rateLimitKey;
    this.claims = claims;
    this.rules = rules;
    this.chatAppTokens = chatAppTokens;
    this.maxExpirySeconds = maxExpirySeconds;
    this.projects = projects == null ? null : Set.copyOf(projects);
  }

  /**
   * No authentication: counted by client address, may mint anything but Chat app tokens, which carry
   * admin rights over the Chat REST API, unless {@code chatAppTokens} ({@code CHAT_APP_TOKENS=true}).
   */
  public static Caller anonymous(String clientKey, boolean chatAppTokens) {
    return new Caller("addr:" + clientKey, null, null, chatAppTokens, 0, null);
  }

  /**
   * A holder of the API key {@code id} (a digest, never the key): a trusted backend, may mint anything for
   * {@code projects} (null or empty: every project).
   */
  public static Caller apiKey(String id, Set<String> projects) {
    return new Caller(API_KEY_PREFIX + id, null, null, true, 0, projects == null || projects.isEmpty() ? null : projects);
  }

  /**
   * A signed-in end user: counted by subject, may mint only what {@code rules} allow for its claims (never a
   * Chat app token), and no token that outlives the JWT ({@code exp}) or, when {@code maxLifetimeSeconds} is
   * above 0, that lives longer than that: the bound only ever shortens a token. {@code projects} come from
   * {@code JWT_PROJECT_CLAIM} (null: every project).
   */
  public static Caller jwt(String subject, Map<String, Object> claims, AccessRules rules, long exp,
      int maxLifetimeSeconds, long nowSeconds, Set<String> projects) {
    long bound = maxLifetimeSeconds > 0 ? Math.min(exp, nowSeconds + maxLifetimeSeconds) : exp;
    return new Caller("sub:" + subject, Collections.unmodifiableMap(new HashMap<>(claims)), rules, false,
        Math.max(1, bound - nowSeconds), projects);
  }

  public String rateLimitKey() {
    return rateLimitKey;
  }

  /** True for a holder of an API key: a trusted backend. */
  public boolean holdsApiKey() {
    return rateLimitKey.startsWith(API_KEY_PREFIX); // anonymous callers are "addr:…", JWT callers "sub:…"
  }

  /** True when this caller may have tokens signed for {@code project}. */
  public boolean mayUse(String project) {
    return projects == null || projects.contains(project);
  }

  /**
   * The project a request of this caller signs for, and is rate-limited under: {@code named} (by the path or the
   * {@code X-Agora-Project} header) when it is one of the {@code configured} projects, else this caller's only
   * project, else {@code defaultProject}; null when there is none. Never a name the client made up.
   */
  public String project(String named, Set<String> configured, String defaultProject) {
    if (named != null && configured.contains(named)) {
      return named;
    }
    return projects != null && projects.size() == 1 ? projects.iterator().next() : defaultProject;
  }

  /** Null when this caller may mint {@code request}; otherwise why not (a 403 message naming the rule). */
  public String denial(TokenRequest request) {
    // Every caller's grants are looked through, the same code for all: the warm-up's caller (an API key) compiles
    // it as users of every auth mode run it.
    if (grantsChatApp(request) && !chatAppTokens) {
      return rules != null ? "chat app tokens are not issued to end users"
          : "chat app tokens are issued only to API-key callers (CHAT_APP_TOKENS)";
    }
    return rules == null ? null : rules.denial(claims, request);
  }

  private static boolean grantsChatApp(TokenRequest request) {
    for (Grant grant : request.grants()) {
      if (grant instanceof Grant.ChatApp) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code request} with its expiry shortened to this caller's bound (a JWT caller's token never outlives
   * its JWT nor {@code JWT_MAX_TOKEN_LIFETIME}), every other field kept; unchanged for other callers.
   */
  public TokenRequest limited(TokenRequest request) {
    if (maxExpirySeconds == 0 || request.expirySeconds() <= maxExpirySeconds) {
      return request;
    }
    return request.withExpiry((int) maxExpirySeconds);
  }

  @Override
  public String toString() {
    return "Caller[" + rateLimitKey + "]";
  }
}
