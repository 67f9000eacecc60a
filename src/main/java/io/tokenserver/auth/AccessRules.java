package io.tokenserver.auth;

import io.tokenserver.token.ChatTokenRequest;
import io.tokenserver.token.RtcRole;
import io.tokenserver.token.RtcTokenRequest;
import io.tokenserver.token.RtcUser;
import io.tokenserver.token.RtmTokenRequest;
import io.tokenserver.token.TokenRequest;

import java.math.BigInteger;
import java.util.Map;

/**
 * What a signed-in user (a verified JWT's claims) may mint, checked against the validated request:
 * <ul>
 *   <li>identity binding: the RTC uid or user account, the RTM user id and the Chat user id must equal the
 *   claim named {@code uidClaim}, so a user mints tokens only for themself; Chat app tokens (app-wide
 *   privileges) are never issued to end users;</li>
 *   <li>channels: when {@code channelsClaim} is configured, the channel must match one of the claim's
 *   patterns ({@code *} wildcards); a JWT without the claim may join no channel;</li>
 *   <li>publisher: when {@code publisherClaim} is configured, the publisher role needs that claim to be
 *   {@code true}, or a list of channel patterns that matches the channel.</li>
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

  /** Null when allowed; otherwise the reason, naming the field and the claim (never a claim's value). */
  public String denial(Map<String, Object> claims, TokenRequest request) {
    String identity = identity(claims.get(uidClaim));
    if (identity == null) {
      return "the bearer token has no usable " + uidClaim + " claim";
    }
    if (request instanceof RtcTokenRequest rtc) {
      // uid 0 in a token lets its holder join as any uid: never an end user's, whatever its claim says.
      if (rtc.user() instanceof RtcUser.Uid uid && uid.value() == 0) {
        return "uid 0 (any uid) is not issued to end users";
      }
      if (!identity.equals(rtcIdentity(rtc))) {
        return "uid must be the caller's own (JWT claim " + uidClaim + ")";
      }
      if (channelsClaim != null && !anyMatch(claims.get(channelsClaim), rtc.channel())) {
        return "channel is not allowed for this caller (JWT claim " + channelsClaim + ")";
      }
      if (publisherClaim != null && rtc.role() == RtcRole.PUBLISHER && !publisherAllowed(claims.get(publisherClaim),
          rtc.channel())) {
        return "role publisher is not allowed for this caller (JWT claim " + publisherClaim + ")";
      }
      return null;
    }
    if (request instanceof RtmTokenRequest rtm) {
      return identity.equals(rtm.userId()) ? null : "uid must be the caller's own (JWT claim " + uidClaim + ")";
    }
    ChatTokenRequest chat = (ChatTokenRequest) request;
    if (chat.isAppToken()) {
      return "chat app tokens are not issued to end users";
    }
    return identity.equals(chat.userId()) ? null : "chatid must be the caller's own (JWT claim " + uidClaim + ")";
  }

  /** The uid as written in the request: numeric uids in plain decimal (uid 0 is "0", not "any"). */
  private static String rtcIdentity(RtcTokenRequest rtc) {
    return rtc.user() instanceof RtcUser.Uid uid
        ? Long.toString(uid.value())
        : rtc.user().tokenValue();
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
      return ChannelPattern.matches(pattern, channel);
    }
    if (claim instanceof Iterable<?> patterns) {
      for (Object pattern : patterns) {
        if (pattern instanceof String text && ChannelPattern.matches(text, channel)) {
          return true;
        }
      }
    }
    return false;
  }
}
