package io.tokenserver.auth;

import io.tokenserver.token.Grant;
import io.tokenserver.token.RtcUser;
import io.tokenserver.token.TokenRequest;

import java.math.BigInteger;
import java.util.Map;

/**
 * What a signed-in user (a verified JWT's claims) may be granted, checked against every {@link Grant} of the
 * validated request, whatever route or field asked for it:
 * <ul>
 *   <li>identity binding: every user a grant names (RTC uid or user account, RTM and Chat user id) must equal
 *   the claim named {@code uidClaim}, so a user mints tokens only for themself; uid 0 (any uid) and Chat app
 *   privileges are never granted to end users;</li>
 *   <li>channels: when {@code channelsClaim} is configured, every channel must match one of the claim's
 *   patterns ({@code *} wildcards); a JWT without the claim may join no channel, and the channel {@code *}
 *   (any channel) needs the pattern {@code *};</li>
 *   <li>publisher: when {@code publisherClaim} is configured, any publishing privilege (audio, video or data
 *   streams) needs that claim to be {@code true}, or a list of channel patterns that matches the channel.</li>
 * </ul>
 */
public final class AccessRules {

  private final String uidClaim;
  private final String channelsClaim;
  private final String publisherClaim;

  /** {@code channelsClaim} and {@code publisherClaim} may be null: that rule is then off. */
  public AccessRules(String uidClaim, String channelsClaim, String publisherClaim) {
    this.uidClaim = uidClaim;
    this.channelsClaim = channelsClaim;
    this.publisherClaim = publisherClaim;
  }

  public String uidClaim() {
    return uidClaim;
  }

  /** Null when every grant is allowed; otherwise the first reason, naming the rule and the claim (never a value). */
  public String denial(Map<String, Object> claims, TokenRequest request) {
    String identity = identity(claims.get(uidClaim));
    if (identity == null) {
      return "the bearer token has no usable " + uidClaim + " claim";
    }
    for (Grant grant : request.grants()) {
      String denial = denial(claims, identity, grant);
      if (denial != null) {
        return denial;
      }
    }
    return null;
  }

  private String denial(Map<String, Object> claims, String identity, Grant grant) {
    if (grant instanceof Grant.Channel channel) {
      return channelDenial(claims, identity, channel);
    }
    if (grant instanceof Grant.User user) {
      return identity.equals(user.userId()) ? null
          : ("chat".equals(user.service()) ? "chatid" : "uid") + " must be the caller's own (JWT claim " + uidClaim + ")";
    }
    return "chat app tokens are not issued to end users";
  }

  private String channelDenial(Map<String, Object> claims, String identity, Grant.Channel grant) {
    // uid 0 in a token lets its holder join as any uid: never an end user's, whatever its claim says.
    if (grant.user() instanceof RtcUser.Uid uid && uid.value() == 0) {
      return "uid 0 (any uid) is not issued to end users";
    }
    if (!identity.equals(userIdentity(grant.user()))) {
      return "uid must be the caller's own (JWT claim " + uidClaim + ")";
    }
    if (channelsClaim != null && !anyMatch(claims.get(channelsClaim), grant.channel())) {
      return "channel is not allowed for this caller (JWT claim " + channelsClaim + ")";
    }
    if (publisherClaim != null && grant.publish() && !publisherAllowed(claims.get(publisherClaim), grant.channel())) {
      return "publishing is not allowed for this caller (JWT claim " + publisherClaim + ")";
    }
    return null;
  }

  /** The user as written in the request: numeric uids in plain decimal. */
  private static String userIdentity(RtcUser user) {
    return user instanceof RtcUser.Uid uid ? Long.toString(uid.value()) : user.tokenValue();
  }

  /** A string claim as is, an integral number in decimal; anything else is no identity. */
  private static String identity(Object claim) {
    if (claim instanceof String text) {
      return text.isEmpty() ? null : text;
    }
    if (claim instanceof Integer || claim instanceof Long || claim instanceof BigInteger) {
      return claim.toString();
    }
    return null;
  }

  private static boolean publisherAllowed(Object claim, String channel) {
    if (claim instanceof Boolean allowed) {
      return allowed;
    }
    return anyMatch(claim, channel);
  }

  /** The claim is one pattern or a list of patterns. */
  private static boolean anyMatch(Object claim, String channel) {
    if (claim instanceof String pattern) {
      return matches(pattern, channel);
    }
    if (claim instanceof Iterable<?> patterns) {
      for (Object pattern : patterns) {
        if (pattern instanceof String text && matches(text, channel)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The channel {@code *} stands for every channel: only the pattern {@code *} covers it. */
  private static boolean matches(String pattern, String channel) {
    return "*".equals(channel) ? "*".equals(pattern) : ChannelPattern.matches(pattern, channel);
  }
}
