package io.tokenserver.token;

import io.agora.media.AccessToken2;
import io.agora.media.Utils;
import io.tokenserver.support.FakeCredentials;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link TokenDeflater} against the JVM's own {@link Deflater}, used as io.agora's Utils#compress uses it. */
class TokenDeflaterTest {

  private final TokenDeflater tokenDeflater = new TokenDeflater();
  private final Deflater zlib = new Deflater();

  private byte[] zlib(byte[] input, int length) {
    zlib.reset();
    zlib.setInput(input, 0, length);
    zlib.finish();
    byte[] out = new byte[length + 64];
    int written = 0;
    while (!zlib.finished()) {
      if (written == out.length) {
        out = Arrays.copyOf(out, out.length * 2);
      }
      written += zlib.deflate(out, written, out.length - written);
    }
    return Arrays.copyOf(out, written);
  }

  private void assertSameAsZlib(byte[] input, int length) {
    int written = tokenDeflater.deflate(input, length);
    assertThat(Arrays.copyOf(tokenDeflater.output(), written))
        .as("deflate of %d bytes: %s", length, Base64.getEncoder().encodeToString(Arrays.copyOf(input, length)))
        .isEqualTo(zlib(input, length));
  }

  /** The signed content of a token, as the library inflates it: what the minter compresses. */
  private static byte[] content(String token) {
    return Utils.decompress(Utils.base64Decode(token.substring(3)));
  }

  /** The counts tests below check need the fast path, which a JVM with another zlib build does not take. */
  private static void assumeFastPath() {
    assumeTrue(TokenDeflater.fastPathAvailable(), "this JVM's zlib differs from stock zlib: every token goes to it");
  }

  @Test
  void theSelfCheckTurnsTheFastPathOnExactlyWhenThisJvmsZlibAgreesOnRealTokens() {
    TokenDeflater forced = new TokenDeflater(true);
    AccessToken2Minter minter = new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS);
    boolean agrees = true;
    for (int uid = 1; uid <= 300; uid++) {
      byte[] content = content(minter.rtc(new RtcTokenRequest("stage-" + uid % 7, RtcTokenRequest.Role.PUBLISHER,
          new RtcUser.Uid(uid * 7919L), 3600)));
      int written = forced.deflate(content, content.length);
      agrees &= Arrays.equals(Arrays.copyOf(forced.output(), written), zlib(content, content.length));
    }
    assertThat(forced.fastCount).isGreaterThan(250);
    assertThat(TokenDeflater.fastPathAvailable()).isEqualTo(agrees);
  }

  @Test
  void realTokensOfEveryKindCompressAsZlibDoesMostlyWithoutZlib() {
    Random random = new Random(1);
    AccessToken2Minter minter = new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS);
    for (int i = 0; i < 2_000; i++) {
      int expire = 60 + random.nextInt(86_400);
      String token = switch (i % 5) {
        case 0 -> minter.rtc(new RtcTokenRequest("stage" + random.nextInt(1000), RtcTokenRequest.Role.PUBLISHER,
            new RtcUser.Uid(random.nextInt(Integer.MAX_VALUE)), expire));
        case 1 -> minter.rtc(new RtcTokenRequest("c", RtcTokenRequest.Role.SUBSCRIBER, new RtcUser.Uid(0), expire));
        case 2 -> minter.rtm(new RtmTokenRequest("user-" + random.nextInt(100_000), expire));
        case 3 -> minter.chat(ChatTokenRequest.user("chat-" + random.nextInt(100_000), expire));
        default -> minter.rtc(new RtcTokenRequest("a-longer-channel-name-" + random.nextLong(),
            RtcTokenRequest.Role.PUBLISHER, new RtcUser.Account("account_" + random.nextLong()), expire));
      };
      byte[] content = content(token);
      assertSameAsZlib(content, content.length);
    }
    // Most are proven fixed-code blocks; long names and odd counts may need zlib's own decision.
    assumeFastPath();
    assertThat(tokenDeflater.fastCount).isGreaterThanOrEqualTo(1_550);
  }

  @Test
  void theBenchmarkedRtcTokenTakesTheFastPath() {
    // The /rtc/stage/publisher/uid/<uid> token every load test asks for.
    AccessToken2Minter minter = new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS);
    for (int uid = 100_000; uid < 100_500; uid++) {
      byte[] content = content(minter.rtc(
          new RtcTokenRequest("stage", RtcTokenRequest.Role.PUBLISHER, new RtcUser.Uid(uid), 3600)));
      assertSameAsZlib(content, content.length);
    }
    assumeFastPath();
    assertThat(tokenDeflater.fastCount).isGreaterThanOrEqualTo(490);
  }

  @Test
  void libraryTokensWithManyServicesCompressAsZlibDoes() throws Exception {
    AccessToken2 token = new AccessToken2(FakeCredentials.APP_ID, FakeCredentials.APP_CERTIFICATE, 600);
    AccessToken2.ServiceRtc rtc = new AccessToken2.ServiceRtc("channel-" + "x".repeat(50), "account");
    rtc.addPrivilegeRtc(AccessToken2.PrivilegeRtc.PRIVILEGE_JOIN_CHANNEL, 600);
    rtc.addPrivilegeRtc(AccessToken2.PrivilegeRtc.PRIVILEGE_PUBLISH_AUDIO_STREAM, 600);
    token.addService(rtc);
    AccessToken2.ServiceRtm rtm = new AccessToken2.ServiceRtm("account");
    rtm.addPrivilegeRtm(AccessToken2.PrivilegeRtm.PRIVILEGE_LOGIN, 600);
    token.addService(rtm);
    byte[] content = content(token.build());
    assertSameAsZlib(content, content.length);
  }

  @Test
  void randomInputsOfEverySizeAndSkewCompressAsZlibDoes() {
    Random random = new Random(42);
    byte[] input = new byte[TokenDeflater.MAX_INPUT + 500];
    for (int round = 0; round < 6_000; round++) {
      int length = switch (round % 6) {
        case 0 -> random.nextInt(8);
        case 1, 2, 3 -> 60 + random.nextInt(300);
        case 4 -> random.nextInt(TokenDeflater.MAX_INPUT + 1);
        default -> TokenDeflater.MAX_INPUT - 5 + random.nextInt(400);
      };
      // From uniform bytes to a handful of symbols, with repeated stretches: every block type and long matches.
      int alphabet = 1 + random.nextInt(round % 3 == 0 ? 256 : 24);
      for (int i = 0; i < length; i++) {
        input[i] = i > 10 && random.nextInt(8) == 0
            ? input[i - 1 - random.nextInt(Math.min(i - 1, 300))]
            : (byte) random.nextInt(alphabet);
      }
      assertSameAsZlib(input, length);
    }
    assumeFastPath();
    assertThat(tokenDeflater.fastCount).isPositive();
    assertThat(tokenDeflater.deflaterCount).isPositive();
  }

  @Test
  void repetitiveInputsWithMatchesUpToTheLongestCompressAsZlibDoes() {
    byte[] input = new byte[TokenDeflater.MAX_INPUT];
    for (int length : new int[] {3, 4, 259, 260, 300, 1000, TokenDeflater.MAX_INPUT}) {
      Arrays.fill(input, 0, length, (byte) 'a');
      assertSameAsZlib(input, length);
      for (int i = 0; i < length; i++) {
        input[i] = (byte) "abcab".charAt(i % 5);
      }
      assertSameAsZlib(input, length);
    }
  }

  @Test
  void aShorterInputAfterALongerOneIgnoresWhatTheLongerLeftBehind() {
    // zlib keeps the bytes of an earlier input past the end of a shorter one; they must not change a match.
    Random random = new Random(3);
    byte[] input = new byte[600];
    for (int round = 0; round < 2_000; round++) {
      int length = 20 + random.nextInt(580);
      for (int i = 0; i < length; i++) {
        input[i] = (byte) "abcd".charAt(random.nextInt(round % 2 == 0 ? 2 : 4));
      }
      assertSameAsZlib(input, length);
    }
  }

  @Test
  void eachOfThousandsOfInputsInARowStartsFromAnEmptyHashTable() {
    // A match into an earlier input would change the distances written.
    byte[] input = "abcabcabdabcabce-0123456789-0123456789".getBytes();
    for (int round = 0; round < 5_000; round++) {
      input[round % input.length] = (byte) round;
      assertSameAsZlib(input, input.length);
    }
    assumeFastPath();
    assertThat(tokenDeflater.fastCount).isPositive();
  }

  @Test
  void tokensOnlyZlibCanDecideAreTriedOnTheFastPathOnceInSixteenWhileOthersStillTakeIt() {
    AccessToken2Minter minter = new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS);
    Random random = new Random(9);
    long shortOnTheFastPath = 0;
    long uuidTriedOnTheFastPath = 0;
    for (int i = 0; i < 3_200; i++) {
      boolean uuid = i % 2 == 0;
      // UUID names: fixed and dynamic blocks within a byte of each other; the others are short.
      byte[] content = content(uuid
          ? minter.rtc(new RtcTokenRequest(uuid(random), RtcTokenRequest.Role.PUBLISHER,
              new RtcUser.Account(uuid(random)), 3600))
          : minter.rtc(new RtcTokenRequest("stage", RtcTokenRequest.Role.PUBLISHER, new RtcUser.Uid(i), 3600)));
      long fastBefore = tokenDeflater.fastCount;
      long triedBefore = fastBefore + tokenDeflater.unprovenCount;
      assertSameAsZlib(content, content.length);
      if (uuid) {
        uuidTriedOnTheFastPath += tokenDeflater.fastCount + tokenDeflater.unprovenCount - triedBefore;
      } else {
        shortOnTheFastPath += tokenDeflater.fastCount - fastBefore;
      }
    }
    assumeFastPath();
    assertThat(shortOnTheFastPath).isGreaterThan(1_550);
    // Of the 1 600 UUID tokens: the first two, then one in 16.
    assertThat(uuidTriedOnTheFastPath).isBetween(100L, 1_600L / 16 + 2);
  }

  private static String uuid(Random random) {
    return new java.util.UUID(random.nextLong(), random.nextLong()).toString();
  }
}
