package io.tokenserver.auth;

import io.tokenserver.token.ChatTokenRequest;
import io.tokenserver.token.RtcTokenRequest;
import io.tokenserver.token.RtmTokenRequest;
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
  private final boolean chatAppTokens;
  /** Epoch second after which a token minted for this caller may not live, or 0 for no bound. */
  private final long expiresNoLaterThan;

  private Caller(String rateLimitKey, Map<String, Object> claims, AccessRules rules, boolean chatAppTokens,
      long expiresNoLaterThan) {
    this.rateLimitKey = rateLimitKey;
    this.claims = claims;
    this.rules = rules;
    this.chatAppTokens = chatAppTokens;
    this.expiresNoLaterThan = expiresNoLaterThan;
  }

  /**
   * No authentication: counted by client address, may mint anything but Chat app tokens, which carry
   * admin rights over the Chat REST API, unless {@code chatAppTokens} ({@code CHAT_APP_TOKENS=true}).
   */
  public static Caller anonymous(String clientKey, boolean chatAppTokens) {
    return new Caller("addr:" + clientKey, null, null, chatAppTokens, 0);
  }

  /** A holder of the API key at {@code index}: a trusted backend, may mint anything. */
  public static Caller apiKey(int index) {
    return new Caller("key:" + index, null, null, true, 0);
  }

  /**
   * A signed-in end user: counted by subject, may mint only what {@code rules} allow for its claims (never a
   * Chat app token), and no token that lives longer than {@code maxLifetimeSeconds} or, when that is 0,
   * longer than the JWT itself ({@code exp}).
   */
  public static Caller jwt(String subject, Map<String, Object> claims, AccessRules rules, long exp,
      int maxLifetimeSeconds) {
    long bound = maxLifetimeSeconds > 0 ? -maxLifetimeSeconds : exp;
    return new Caller("sub:" + subject, Collections.unmodifiableMap(new HashMap<>(claims)), rules, false, bound);
  }

  public String rateLimitKey() {
    return rateLimitKey;
  }

  /** Null when this caller may mint {@code request}; otherwise why not (a 403 message naming the rule). */
  public String denial(TokenRequest request) {
    if (!chatAppTokens && request instanceof ChatTokenRequest chat && chat.isAppToken()) {
      return rules != null ? "chat app tokens are not issued to end users"
          : "chat app tokens are issued only to API-key callers (CHAT_APP_TOKENS)";
    }
    return rules == null ? null : rules.denial(claims, request);
  }

  /**
   * {@code request} with its expiry shortened to this caller's bound (a JWT caller's token never outlives
   * what {@code JWT_MAX_TOKEN_LIFETIME} allows); unchanged for other callers.
   */
  @SuppressWarnings("unchecked")
  public <T extends TokenRequest> T limited(T request) {
    if (expiresNoLaterThan == 0) {
      return request;
    }
    long allowed = expiresNoLaterThan < 0 ? -expiresNoLaterThan
        : expiresNoLaterThan - System.currentTimeMillis() / 1000;
    int expiry = (int) Math.max(1, Math.min(request.expirySeconds(), allowed));
    if (expiry == request.expirySeconds()) {
      return request;
    }
    if (request instanceof RtcTokenRequest rtc) {
      return (T) new RtcTokenRequest(rtc.channel(), rtc.role(), rtc.user(), expiry);
    }
    if (request instanceof RtmTokenRequest rtm) {
      return (T) new RtmTokenRequest(rtm.userId(), expiry);
    }
    return (T) new ChatTokenRequest(((ChatTokenRequest) request).userId(), expiry);
  }

  @Override
  public String toString() {
    return "Caller[" + rateLimitKey + "]";
  }
}
