package io.tokenserver.auth;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.Jwts;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.tokenserver.support.VerifiedToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AUTH_MODE=jwt with an HS256 secret, issuer, audience, a channels claim and a publisher claim: a signed-in
 * user mints tokens only for themself, in the channels and role their token allows.
 */
class JwtAuthTest {

  private static Jwts jwts;
  private static RunningServer server;

  @BeforeAll
  static void start() {
    jwts = new Jwts();
    server = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("AUTH_MODE", "jwt").put("JWT_SECRET", Jwts.SECRET)
        .put("JWT_ISSUER", "issuer-1").put("JWT_AUDIENCE", "tokens,other-audience")
        .put("JWT_CHANNELS_CLAIM", "channels").put("JWT_PUBLISHER_CLAIM", "publisher")
        .put("JWT_LEEWAY_SECONDS", 0)));
  }

  @AfterAll
  static void stop() {
    server.close();
    jwts.close();
  }

  /** Alice (sub 42) may use every channel and publish. */
  private static JsonObject alice() {
    return Jwts.claims("42").put("channels", new JsonArray().add("*")).put("publisher", true);
  }

  private static HttpResponse<Buffer> get(String path, String jwt) {
    HttpRequest<Buffer> request = server.client().get(path);
    if (jwt != null) {
      request.putHeader("Authorization", "Bearer " + jwt);
    }
    return server.send(request, null);
  }

  private static HttpResponse<Buffer> post(JsonObject body, String jwt) {
    return server.send(server.client().post("/getToken").putHeader("Authorization", "Bearer " + jwt),
        body.toBuffer());
  }

  private static void assertStatus(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    if (status >= 400) {
      assertThat(response.bodyAsJsonObject().getString("error")).isNotBlank();
    }
  }

  private static void assertUnauthorized(String jwt) {
    HttpResponse<Buffer> response = get("/rtc/stage/subscriber/uid/42", jwt);
    assertStatus(response, 401);
    assertThat(response.getHeader("WWW-Authenticate")).startsWith("Bearer realm=");
  }

  @Test
  void aValidTokenMintsForTheCallersOwnUid() {
    HttpResponse<Buffer> response = get("/rtc/stage/publisher/uid/42", jwts.hs256(alice()));
    assertStatus(response, 200);
    VerifiedToken token = VerifiedToken.verify(response.bodyAsJsonObject().getString("rtcToken"));
    assertThat(token.rtc().uid).isEqualTo("42");
    assertThat(token.rtc().privileges).isEqualTo(VerifiedToken.rtcPrivileges(true, 3600));
  }

  @Test
  void missingTokenIs401() {
    assertUnauthorized(null);
  }

  @Test
  void expiredTokenIs401() {
    String expired = jwts.hs256(alice().put("exp", System.currentTimeMillis() / 1000 - 60));
    HttpResponse<Buffer> response = get("/rtc/stage/subscriber/uid/42", expired);
    assertStatus(response, 401);
    assertThat(response.bodyAsJsonObject().getString("error")).contains("expired");
    assertThat(response.getHeader("WWW-Authenticate")).contains("invalid_token");
  }

  @Test
  void tokenWithoutExpiryIs401() {
    JsonObject claims = alice();
    claims.remove("exp");
    assertUnauthorized(jwts.hs256(claims));
  }

  @Test
  void wrongIssuerIs401() {
    assertUnauthorized(jwts.hs256(alice().put("iss", "issuer-2")));
  }

  @Test
  void wrongAudienceIs401() {
    assertUnauthorized(jwts.hs256(alice().put("aud", "someone-else")));
  }

  @Test
  void anyConfiguredAudienceIsAccepted() {
    assertStatus(get("/rtc/stage/subscriber/uid/42", jwts.hs256(alice().put("aud", "other-audience"))), 200);
  }

  @Test
  void algNoneIs401() {
    assertUnauthorized(Jwts.unsigned(alice()));
  }

  @Test
  void tokenSignedWithAnotherKeyIs401() {
    assertUnauthorized(Jwts.hs256(alice(), "another-secret-0123456789abcdef0123456789"));
  }

  @Test
  void anRs256TokenIsNotAcceptedByAnHs256Server() {
    assertUnauthorized(jwts.rs256(alice()));
  }

  @Test
  void tamperedPayloadIs401() {
    String genuine = jwts.hs256(alice());
    assertUnauthorized(Jwts.withPayload(genuine, alice().put("sub", "43")));
  }

  @Test
  void garbageIs401() {
    assertUnauthorized("not-a-jwt");
    assertUnauthorized("a.b.c");
  }

  @Test
  void rtcForAnotherUidIs403() {
    HttpResponse<Buffer> response = get("/rtc/stage/publisher/uid/43", jwts.hs256(alice()));
    assertStatus(response, 403);
    assertThat(response.bodyAsJsonObject().getString("error")).contains("uid").contains("sub");
  }

  @Test
  void rtcUserAccountIsBoundToo() {
    String bob = jwts.hs256(Jwts.claims("bob").put("channels", "*"));
    assertStatus(get("/rtc/stage/subscriber/userAccount/bob", bob), 200);
    assertStatus(get("/rtc/stage/subscriber/userAccount/alice", bob), 403);
  }

  @Test
  void rtmIsBoundToTheCaller() {
    String bob = jwts.hs256(Jwts.claims("bob"));
    assertStatus(get("/rtm/bob", bob), 200);
    assertStatus(get("/rtm/alice", bob), 403);
  }

  @Test
  void chatAccountIsBoundAndAppTokensAreRefused() {
    String bob = jwts.hs256(Jwts.claims("bob"));
    assertStatus(get("/chat/account/bob", bob), 200);
    assertStatus(get("/chat/account/alice", bob), 403);
    assertStatus(get("/chat/app", bob), 403);
  }

  @Test
  void rteBindsBothTheRtcAndTheRtmUser() {
    String alice = jwts.hs256(alice());
    assertStatus(get("/rte/stage/publisher/uid/42", alice), 200);
    assertStatus(get("/rte/stage/publisher/uid/42/42", alice), 200);
    assertStatus(get("/rte/stage/publisher/uid/42/someone", alice), 403);
    assertStatus(get("/rte/stage/publisher/uid/7/42", alice), 403);
  }

  @Test
  void postGetTokenIsBoundForEveryTokenType() {
    String alice = jwts.hs256(alice());
    JsonObject rtc = new JsonObject().put("tokenType", "rtc").put("channel", "stage").put("role", "publisher");
    assertStatus(post(rtc.copy().put("uid", 42), alice), 200);
    assertStatus(post(rtc.copy().put("uid", "42"), alice), 200);
    assertStatus(post(rtc.copy().put("uid", 43), alice), 403);
    assertStatus(post(new JsonObject().put("tokenType", "rtm").put("uid", "42"), alice), 200);
    assertStatus(post(new JsonObject().put("tokenType", "rtm").put("uid", "43"), alice), 403);
    assertStatus(post(new JsonObject().put("tokenType", "chat").put("uid", "42"), alice), 200);
    assertStatus(post(new JsonObject().put("tokenType", "chat"), alice), 403);
  }

  @Test
  void theRtmStreamChannelOfGetTokenObeysTheChannelAndPublisherRules() {
    String teamViewer = jwts.hs256(Jwts.claims("alice").put("channels", "team-*").put("publisher", false));
    JsonObject anyChannel = new JsonObject().put("tokenType", "rtm").put("uid", "alice").put("channel", "*")
        .put("expire", 300);
    assertStatus(post(anyChannel, teamViewer), 403);
    assertStatus(post(anyChannel.copy().put("channel", "team-a"), teamViewer), 403);

    long now = System.currentTimeMillis() / 1000;
    String teamHost = jwts.hs256(Jwts.claims("alice").put("channels", "team-*").put("publisher", true)
        .put("exp", now + 600));
    assertStatus(post(anyChannel, teamHost), 403);
    // Allowed, and shortened to the JWT's lifetime without losing its RTC part.
    HttpResponse<Buffer> allowed = post(anyChannel.copy().put("channel", "team-a").put("expire", 3600), teamHost);
    assertStatus(allowed, 200);
    VerifiedToken token = VerifiedToken.verify(allowed.bodyAsJsonObject().getString("token"));
    assertThat(token.rtc().channelName).isEqualTo("team-a");
    assertThat(token.rtc().uid).isEqualTo("alice");
    assertThat(token.rtm().userId).isEqualTo("alice");
    assertThat(token.token.expire).isBetween(590, 600);
  }

  @Test
  void invalidInputIsStill400BeforeAnyRightsAreChecked() {
    HttpResponse<Buffer> response = get("/rtc/stage/admin/uid/43", jwts.hs256(alice()));
    assertStatus(response, 400);
    assertThat(response.bodyAsJsonObject().getString("error")).startsWith("role");
  }

  @Test
  void channelsClaimWildcardsLimitTheChannels() {
    String member = jwts.hs256(Jwts.claims("7").put("channels", new JsonArray().add("team-*").add("lobby")));
    assertStatus(get("/rtc/team-blue/subscriber/uid/7", member), 200);
    assertStatus(get("/rtc/lobby/subscriber/uid/7", member), 200);
    HttpResponse<Buffer> denied = get("/rtc/boardroom/subscriber/uid/7", member);
    assertStatus(denied, 403);
    assertThat(denied.bodyAsJsonObject().getString("error")).contains("channel");
    assertStatus(get("/rtc/stage/subscriber/uid/7", jwts.hs256(Jwts.claims("7"))), 403);
  }

  @Test
  void publisherRoleOnlyWhenThePublisherClaimAllowsIt() {
    String viewer = jwts.hs256(Jwts.claims("7").put("channels", "*"));
    assertStatus(get("/rtc/stage/subscriber/uid/7", viewer), 200);
    assertStatus(get("/rtc/stage/audience/uid/7", viewer), 200);
    HttpResponse<Buffer> denied = get("/rtc/stage/publisher/uid/7", viewer);
    assertStatus(denied, 403);
    assertThat(denied.bodyAsJsonObject().getString("error")).contains("publisher");
    String host = jwts.hs256(Jwts.claims("7").put("channels", "*").put("publisher", new JsonArray().add("stage")));
    assertStatus(get("/rtc/stage/publisher/uid/7", host), 200);
    assertStatus(get("/rtc/backstage/publisher/uid/7", host), 403);
  }

  @Test
  void pingAndManagementNeedNoToken() {
    assertStatus(get("/ping", null), 200);
    assertThat(server.management("/health/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void aUidClaimOfZeroNeverGetsTheAnyUidToken() {
    for (Object zero : new Object[] {"0", 0}) {
      String caller = jwts.hs256(Jwts.claims("ignored").put("sub", zero).put("channels", "*").put("publisher", true));
      HttpResponse<Buffer> response = get("/rtc/stage/publisher/uid/0", caller);
      assertStatus(response, 403);
      assertThat(response.bodyAsJsonObject().getString("error")).contains("uid 0");
      assertStatus(post(new JsonObject().put("tokenType", "rtc").put("channel", "stage").put("role", "publisher")
          .put("uid", 0), caller), 403);
      assertStatus(get("/rte/stage/subscriber/uid/0/0", caller), 403);
    }
  }

  @Test
  void aMintedTokenNeverOutlivesTheJwtThatAuthorisedIt() {
    long now = System.currentTimeMillis() / 1000;
    String shortLived = jwts.hs256(alice().put("exp", now + 600));

    HttpResponse<Buffer> rtm = get("/rtm/42?expiry=3600", shortLived);
    assertStatus(rtm, 200);
    assertThat(VerifiedToken.verify(rtm.bodyAsJsonObject().getString("rtmToken")).token.expire)
        .isBetween(590, 600);
    HttpResponse<Buffer> rtc = get("/rtc/stage/publisher/uid/42", shortLived);
    assertStatus(rtc, 200);
    VerifiedToken token = VerifiedToken.verify(rtc.bodyAsJsonObject().getString("rtcToken"));
    assertThat(token.token.expire).isBetween(590, 600);
    assertThat(token.rtc().privileges.values()).allSatisfy(expiry -> assertThat(expiry).isBetween(590, 600));
    // A shorter request stays as asked.
    HttpResponse<Buffer> shorter = get("/rtm/42?expiry=60", shortLived);
    assertThat(VerifiedToken.verify(shorter.bodyAsJsonObject().getString("rtmToken")).token.expire).isEqualTo(60);
  }

  @Test
  void aReplayedTokenIsVerifiedOnceThenFoundInTheCache() {
    String token = jwts.hs256(alice().put("jti", "replayed"));
    double before = verifications();
    for (int i = 0; i < 5; i++) {
      assertStatus(get("/rtm/42", token), 200);
    }
    assertThat(verifications() - before).isEqualTo(1.0);
    // A changed token is a different cache key: verified, and refused.
    assertUnauthorized(Jwts.withPayload(token, alice().put("jti", "other")));
  }

  @Test
  void aCachedTokenIsVerifiedAgainOnceItsCacheAgeIsOver() {
    try (RunningServer shortCache = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("AUTH_MODE", "jwt").put("JWT_SECRET", Jwts.SECRET).put("JWT_CACHE_MAX_AGE_SECONDS", 1)))) {
      String token = jwts.hs256(Jwts.claims("42"));
      double before = verificationsOf(shortCache);
      assertStatus(shortCache.send(shortCache.client().get("/rtm/42").putHeader("Authorization", "Bearer " + token),
          null), 200);
      assertThat(verificationsOf(shortCache) - before).isEqualTo(1.0);
      // The token lives an hour, but its cache entry at most a second: replays get verified again.
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
        shortCache.send(shortCache.client().get("/rtm/42").putHeader("Authorization", "Bearer " + token), null);
        return verificationsOf(shortCache) - before >= 2.0;
      });
    }
  }

  private static double verificationsOf(RunningServer server) {
    java.util.regex.Matcher line = java.util.regex.Pattern.compile("(?m)^token_server_jwt_verifications_total (\\S+)$")
        .matcher(server.management("/metrics").bodyAsString());
    assertThat(line.find()).as("token_server_jwt_verifications_total exposed").isTrue();
    return Double.parseDouble(line.group(1));
  }

  @Test
  void freshTokensFromAnAddressOverItsRateAreRefusedBeforeAnyVerification() {
    try (RunningServer limited = RunningServer.start(ServerConfig.from(TestConfig.values()
        .put("AUTH_MODE", "jwt").put("JWT_SECRET", Jwts.SECRET).put("JWT_LEEWAY_SECONDS", 0)
        .put("RATE_LIMIT_PER_SECOND", 1).put("RATE_LIMIT_BURST", 2)))) {
      double before = verificationsOf(limited);
      int[] statuses = new int[4];
      for (int i = 0; i < statuses.length; i++) {
        // A different subject each time: only the client address is common to them.
        String fresh = jwts.hs256(Jwts.claims("user-" + i));
        statuses[i] = limited.send(limited.client().get("/rtm/user-" + i)
            .putHeader("Authorization", "Bearer " + fresh), null).statusCode();
      }
      assertThat(statuses).containsExactly(200, 200, 429, 429);
      assertThat(verificationsOf(limited) - before).as("signature verifications").isEqualTo(2.0);
    }
  }

  private static double verifications() {
    return verificationsOf(server);
  }
}
