package io.tokenserver.auth;

import io.agora.media.AccessToken2;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.support.VerifiedToken;
import io.tokenserver.token.AccessToken2Minter;
import io.tokenserver.token.AppCredentials;
import io.tokenserver.token.ChatTokenRequest;
import io.tokenserver.token.RtcTokenRequest;
import io.tokenserver.token.RtcUser;
import io.tokenserver.token.RtmTokenRequest;
import io.tokenserver.token.TokenMinter;
import io.tokenserver.token.TokenRequest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every request kind against every combination of JWT claims and rules: a token is minted for a JWT caller
 * exactly when everything it grants is allowed, and the minted token, decoded with the library's parser,
 * grants no channel, privilege, user or lifetime beyond the claims. The judge below reads the decoded token
 * and the claims only; it shares no code with {@link AccessRules}.
 */
class GrantAuthorisationPropertyTest {

  private static final long NOW = 1_800_000_000L;
  private static final short RTC_JOIN = AccessToken2.PrivilegeRtc.PRIVILEGE_JOIN_CHANNEL.intValue;
  private static final short CHAT_USER = AccessToken2.PrivilegeChat.PRIVILEGE_CHAT_USER.intValue;
  private final TokenMinter minter = new AccessToken2Minter(
      () -> new AppCredentials(FakeCredentials.APP_ID, FakeCredentials.APP_CERTIFICATE));

  /** A JWT caller's claims and the server's rule settings. */
  private record Case(Map<String, Object> claims, boolean channelsRule, boolean publisherRule, long secondsLeft,
      int maxLifetime) {

    Caller caller() {
      AccessRules rules = new AccessRules("sub", channelsRule ? "channels" : null, publisherRule ? "publisher" : null);
      return Caller.jwt("subject", claims, rules, NOW + secondsLeft, maxLifetime, NOW, null);
    }

    long lifetimeBound() {
      return maxLifetime > 0 ? Math.min(secondsLeft, maxLifetime) : secondsLeft;
    }
  }

  @Test
  void noTokenGrantsMoreThanTheClaimsAllow() {
    Map<TokenRequest, AccessToken2> asked = new LinkedHashMap<>();
    for (TokenRequest request : requests()) {
      // What the request would grant to a caller that may have anything: the judge reads this token.
      asked.put(request, VerifiedToken.verify(request.mintWith(minter)).token);
    }
    int allowed = 0;
    int denied = 0;
    for (Case c : cases()) {
      Caller caller = c.caller();
      for (Map.Entry<TokenRequest, AccessToken2> entry : asked.entrySet()) {
        TokenRequest request = entry.getKey();
        // A lifetime beyond the bound is shortened, not refused: only the rights decide.
        List<String> violations = violations(c, entry.getValue(), false);
        String denial = caller.denial(request);
        String description = request + " for " + c;
        if (!violations.isEmpty()) {
          assertThat(denial).as("denied, since it would grant %s: %s", violations, description).isNotNull();
          denied++;
          continue;
        }
        assertThat(denial).as("allowed: %s", description).isNull();
        AccessToken2 minted = VerifiedToken.verify(caller.limited(request).mintWith(minter)).token;
        assertThat(violations(c, minted, true)).as("minted for %s", description).isEmpty();
        assertThat(services(minted)).as("the token keeps every service asked for: %s", description)
            .isEqualTo(services(entry.getValue()));
        assertThat((long) minted.expire).as("lifetime of %s", description)
            .isEqualTo(Math.min(request.expirySeconds(), c.lifetimeBound()));
        allowed++;
      }
    }
    // Both outcomes occur often: the property cannot hold vacuously.
    assertThat(allowed).isGreaterThan(1000);
    assertThat(denied).isGreaterThan(1000);
  }

  /**
   * What {@code token} grants beyond what the claims of {@code c} allow, in words (with {@code lifetime}, also
   * privileges that outlive the caller's bound); empty when nothing.
   */
  private static List<String> violations(Case c, AccessToken2 token, boolean lifetime) {
    String identity = String.valueOf(c.claims.get("sub"));
    List<String> found = new ArrayList<>();
    for (AccessToken2.Service service : token.services.values()) {
      if (lifetime && service.privileges.values().stream().anyMatch(expire -> expire > c.lifetimeBound())) {
        found.add("a privilege outliving the JWT bound");
      }
      if (service instanceof AccessToken2.ServiceRtc rtc) {
        if (!identity.equals(rtc.uid)) {
          found.add(rtc.uid.isEmpty() ? "any uid" : "RTC user " + rtc.uid);
        }
        if (c.channelsRule && !matchesAny(c.claims.get("channels"), rtc.channelName)) {
          found.add("channel " + rtc.channelName);
        }
        boolean publishes = rtc.privileges.keySet().stream().anyMatch(privilege -> privilege != RTC_JOIN);
        if (c.publisherRule && publishes && !publisherAllowed(c.claims.get("publisher"), rtc.channelName)) {
          found.add("publishing in " + rtc.channelName);
        }
      } else if (service instanceof AccessToken2.ServiceRtm rtm) {
        if (!identity.equals(rtm.userId)) {
          found.add("RTM user " + rtm.userId);
        }
      } else if (service instanceof AccessToken2.ServiceChat chat) {
        if (!chat.privileges.keySet().equals(java.util.Set.of(CHAT_USER))) {
          found.add("chat app privileges");
        } else if (!identity.equals(chat.userId)) {
          found.add("Chat user " + chat.userId);
        }
      } else {
        found.add("service " + service.getServiceType());
      }
    }
    return found;
  }

  private static boolean publisherAllowed(Object claim, String channel) {
    return Boolean.TRUE.equals(claim) || !(claim instanceof Boolean) && matchesAny(claim, channel);
  }

  /** Glob patterns, one or a list; the channel "*" (any channel) only by the pattern "*". */
  private static boolean matchesAny(Object claim, String channel) {
    List<?> patterns = claim instanceof List<?> list ? list : claim == null ? List.of() : List.of(claim);
    for (Object pattern : patterns) {
      String glob = String.valueOf(pattern);
      boolean match = "*".equals(channel) ? "*".equals(glob)
          : Pattern.matches(Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote)
              .collect(Collectors.joining(".*")), channel);
      if (match) {
        return true;
      }
    }
    return false;
  }

  private static Map<Short, Map<Short, Integer>> services(AccessToken2 token) {
    Map<Short, Map<Short, Integer>> services = new HashMap<>();
    token.services.forEach((type, service) -> services.put(type, new HashMap<>(service.privileges).keySet().stream()
        .collect(Collectors.toMap(privilege -> privilege, privilege -> 0))));
    return services;
  }

  private static List<Case> cases() {
    List<Object> identities = List.of("alice", "42", 42L);
    List<Object> channelClaims = Arrays.asList(null, "team-*", List.of("team-a", "lobby"), "*", List.of());
    List<Object> publisherClaims = Arrays.asList(null, true, false, List.of("team-*"));
    List<Case> cases = new ArrayList<>();
    for (Object identity : identities) {
      for (Object channels : channelClaims) {
        for (Object publisher : publisherClaims) {
          Map<String, Object> claims = new HashMap<>();
          claims.put("sub", identity);
          if (channels != null) {
            claims.put("channels", channels);
          }
          if (publisher != null) {
            claims.put("publisher", publisher);
          }
          for (boolean channelsRule : new boolean[] {false, true}) {
            for (boolean publisherRule : new boolean[] {false, true}) {
              cases.add(new Case(claims, channelsRule, publisherRule, 120, 0));
              cases.add(new Case(claims, channelsRule, publisherRule, 7200, 600));
            }
          }
        }
      }
    }
    return cases;
  }

  private static List<TokenRequest> requests() {
    List<TokenRequest> requests = new ArrayList<>();
    for (int expiry : new int[] {60, 3600}) {
      for (String channel : List.of("team-a", "lobby", "other")) {
        for (RtcTokenRequest.Role role : RtcTokenRequest.Role.values()) {
          for (RtcUser user : List.of(new RtcUser.Uid(42), new RtcUser.Uid(0), new RtcUser.Account("alice"),
              new RtcUser.Account("bob"))) {
            requests.add(new RtcTokenRequest(channel, role, user, expiry));
          }
        }
      }
      for (String user : List.of("alice", "bob", "42")) {
        for (String stream : Arrays.asList(null, "*", "team-a", "other")) {
          requests.add(new RtmTokenRequest(user, expiry, stream));
        }
        requests.add(ChatTokenRequest.user(user, expiry));
      }
      requests.add(ChatTokenRequest.app(expiry));
    }
    return requests;
  }
}
