package io.tokenserver.inspect;

import io.agora.media.Utils;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static io.tokenserver.inspect.Tokens.APP_ID;
import static io.tokenserver.inspect.Tokens.ISSUE_TS;
import static io.tokenserver.inspect.Tokens.inspectorAt;
import static io.tokenserver.inspect.Tokens.rtc;
import static io.tokenserver.inspect.Tokens.token007;
import static org.assertj.core.api.Assertions.assertThat;

/** Whatever the input, the answer is an inspection; what cannot be decoded is "malformed", saying why. */
class MalformedTokenTest {

  private static final String TOKEN = token007(3600, rtc("stage", "42", 3600, 3600, 3600, 3600));

  @ParameterizedTest
  @NullAndEmptySource
  void noTokenIsMalformed(String token) {
    assertMalformed(token, null, "No token was given.");
  }

  @Test
  void textThatIsNoTokenSaysWhatItIs() {
    assertMalformed("hello", null, "does not start with 006 or 007");
    assertMalformed("{\"rtcToken\":\"" + TOKEN + "\"}", null, "This is JSON");
    assertMalformed("\"" + TOKEN + "\"", null, "wrapped in quotes");
    assertMalformed("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", null, "JSON Web Token");
    assertMalformed("005" + APP_ID + "AAAA", null, "Version 005 tokens are not read");
  }

  @Test
  void aSpaceIsNamedAsTheLostPlusOfAUrl() {
    String token = TOKEN.substring(0, 10) + " " + TOKEN.substring(11);

    Inspection inspection = assertMalformed(token, "007", "a space (character 11)");

    assertThat(inspection.findings().get(0).message()).contains("'+'", "URL").doesNotContain(TOKEN.substring(11));
  }

  @Test
  void otherWhitespaceAndTheUrlSafeAlphabetAreNamed() {
    assertMalformed(TOKEN + "\n", "007", "line break");
    assertMalformed(TOKEN.substring(0, 20) + "-" + TOKEN.substring(21), "007", "URL-safe base64 alphabet ('-' at "
        + "character 21)");
    assertMalformed("007!!!!", "007", "not valid base64");
    assertMalformed("007====", "007", "not valid base64");
  }

  @Test
  void tooLongIsRefusedUnread() {
    assertMalformed("007" + "A".repeat(TokenInspector.MAX_TOKEN_CHARS), "007", "4099 characters long");
  }

  @Test
  void aDeflateBombStopsAtTheBound() {
    String bomb = Tokens.encode007(new byte[1 << 20]);
    assertThat(bomb.length()).isLessThan(TokenInspector.MAX_TOKEN_CHARS);

    assertMalformed(bomb, "007", "inflates to more than 16384 bytes");
  }

  @Test
  void everyTruncationOfTheTextIsMalformed() {
    Inspection original = inspectorAt(ISSUE_TS).inspect(TOKEN, 0);
    for (int length = 3; length < TOKEN.length(); length++) {
      String cut = TOKEN.substring(0, length);
      Inspection inspection = inspectorAt(ISSUE_TS).inspect(cut, 0);
      if (TOKEN.substring(length).chars().allMatch(c -> c == '=')) {
        assertThat(inspection).as("only padding cut").isEqualTo(original);
      } else {
        assertThat(inspection.has(FindingCode.MALFORMED)).as("cut at %d", length).isTrue();
      }
    }
  }

  @Test
  void everyTruncationOfTheContentIsMalformedAndSaysWhere() {
    byte[] content = Tokens.content007(TOKEN);
    for (int length = 0; length < content.length; length++) {
      Inspection inspection = assertMalformed(Tokens.encode007(Arrays.copyOf(content, length)), "007",
          "The token is truncated: it ends inside the ");
      assertThat(inspection.appId()).isNull();
    }
    assertMalformed(Tokens.encode007(Arrays.copyOf(content, 40)), "007", "ends inside the app id.");
  }

  @Test
  void countsBeyondTheBoundsAreRefused() {
    assertMalformed(Tokens.encode007(header(65_535).array()), "007", "claims 65535 services; at most 16");
    ByteBuffer privileges = header(1).putShort((short) 1).putShort((short) 1000);
    assertMalformed(Tokens.encode007(Arrays.copyOf(privileges.array(), privileges.position())), "007",
        "claims 1000 privileges; at most 32");
  }

  @Test
  void a006TokenTooShortOrCutIsMalformed() {
    assertMalformed("006" + APP_ID, "006", "too short for a 006 token");
    assertMalformed("006" + APP_ID + "AAAA", "006", "truncated");
    assertMalformed("006" + APP_ID + "@@@@", "006", "not valid base64");
  }

  /** Random changes to real content (re-deflated, so they reach the parser) and random text never escape. */
  @Test
  void fuzzedInputNeverThrowsAndAlwaysRenders() {
    Random random = new Random(19);
    byte[] content = Tokens.content007(TOKEN);
    int malformed = 0;
    for (int i = 0; i < 5_000; i++) {
      byte[] mutated = mutate(content, random);
      if (Arrays.equals(mutated, content)) {
        continue;
      }
      String token = switch (i % 4) {
        case 0, 1 -> Tokens.encode007(mutated);
        case 2 -> "006" + APP_ID + Utils.base64Encode(mutated);
        default -> randomText(random);
      };

      Inspection inspection = inspectorAt(ISSUE_TS).inspect(token, 300, "stage", "42");

      new JsonObject(inspection.toMap()).encode();
      if (inspection.has(FindingCode.MALFORMED)) {
        malformed++;
        assertThat(inspection.findings()).hasSize(1);
      } else {
        assertThat(inspection.signedWith()).as(token).isNotEqualTo(SignatureMatch.CURRENT);
        assertThat(inspection.usable()).as(token).isFalse();
      }
    }
    assertThat(malformed).isBetween(1, 4_999);
  }

  private static ByteBuffer header(int services) {
    byte[] appId = APP_ID.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(200).order(ByteOrder.LITTLE_ENDIAN)
        .putShort((short) 32).put(new byte[32])
        .putShort((short) 32).put(appId).putInt(ISSUE_TS).putInt(600).putInt(1).putShort((short) services);
  }

  private static byte[] mutate(byte[] content, Random random) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(content);
    byte[] bytes = out.toByteArray();
    int changes = 1 + random.nextInt(4);
    for (int c = 0; c < changes; c++) {
      bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
    }
    return random.nextInt(4) == 0 ? Arrays.copyOf(bytes, random.nextInt(bytes.length + 40)) : bytes;
  }

  private static String randomText(Random random) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=- _\n\"{é";
    StringBuilder text = new StringBuilder(random.nextBoolean() ? "007" : "006");
    int length = random.nextInt(400);
    for (int i = 0; i < length; i++) {
      text.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return text.toString();
  }

  private static Inspection assertMalformed(String token, String version, String messagePart) {
    Inspection inspection = inspectorAt(ISSUE_TS).inspect(token, 300);
    assertThat(inspection.findings()).extracting(f -> f.code().code(), Finding::severity)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("malformed", Finding.Severity.ERROR));
    assertThat(inspection.findings().get(0).message()).contains(messagePart);
    assertThat(inspection.version()).isEqualTo(version);
    assertThat(inspection.signedWith()).isEqualTo(SignatureMatch.UNCHECKED);
    assertThat(inspection.services()).isEmpty();
    assertThat(inspection.usable()).isFalse();
    assertThat(inspection.toMap()).containsOnlyKeys(version == null
        ? new String[] {"usable", "signedWith", "services", "findings", "inspectedAt", "inspectedAtIso"}
        : new String[] {"usable", "version", "signedWith", "services", "findings", "inspectedAt", "inspectedAtIso"})
        .containsEntry("usable", false);
    return inspection;
  }
}
