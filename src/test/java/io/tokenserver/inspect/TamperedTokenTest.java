package io.tokenserver.inspect;

import io.agora.media.AccessToken;
import io.agora.media.Utils;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;

import static io.tokenserver.inspect.DecodingTest.codes;
import static io.tokenserver.inspect.Tokens.CERTIFICATE;
import static io.tokenserver.inspect.Tokens.ISSUE_TS;
import static io.tokenserver.inspect.Tokens.inspectorAt;
import static io.tokenserver.inspect.Tokens.rtc;
import static io.tokenserver.inspect.Tokens.token007;
import static org.assertj.core.api.Assertions.assertThat;

/** A token changed in one place is never reported as genuine. */
class TamperedTokenTest {

  private static final String TOKEN = token007(3600, rtc("stage", "42", 3600, 3600, 3600, 3600));
  private static final String BASE64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  @Test
  void aByteChangedInTheSignedContentIsAnInvalidSignatureAndShowsTheChangedValue() {
    byte[] content = Tokens.content007(TOKEN);
    int at = indexOf(content, "stage".getBytes(StandardCharsets.US_ASCII));
    content[at] = 'S';

    Inspection inspection = inspectorAt(ISSUE_TS).inspect(Tokens.encode007(content), 0);

    assertThat(inspection.services().get(0).channel()).isEqualTo("Stage");
    assertThat(inspection.signedWith()).isEqualTo(SignatureMatch.NONE);
    assertThat(codes(inspection)).containsExactly("invalid_signature");
    assertThat(inspection.usable()).isFalse();
  }

  @Test
  void aByteChangedInTheSignatureIsAnInvalidSignature() {
    byte[] content = Tokens.content007(TOKEN);
    content[2] ^= 0x01; // the first signature byte, after its 16-bit length

    Inspection inspection = inspectorAt(ISSUE_TS).inspect(Tokens.encode007(content), 0);

    assertThat(inspection.services().get(0).channel()).isEqualTo("stage");
    assertThat(codes(inspection)).containsExactly("invalid_signature");
  }

  @Test
  void aLongerExpiryWrittenIntoTheTokenIsAnInvalidSignature() {
    byte[] content = Tokens.content007(TOKEN);
    // signature (2 + 32), app id (2 + 32), issue time (4), then the token's expiry.
    int expiry = 2 + 32 + 2 + 32 + 4;
    content[expiry + 1] = (byte) 0xFF;

    Inspection inspection = inspectorAt(ISSUE_TS).inspect(Tokens.encode007(content), 0);

    assertThat(inspection.lifetimeSeconds()).isEqualTo(0xFF10).isNotEqualTo(3600);
    assertThat(codes(inspection)).containsExactly("invalid_signature", "privilege_expires_before_token",
        "privilege_expires_before_token", "privilege_expires_before_token", "privilege_expires_before_token");
  }

  /**
   * Every one-character change of a 007 token's base64 text: deflate's checksum makes it malformed, unless it
   * decodes to exactly the same content (base64's spare bits and deflate's end padding carry nothing).
   */
  @Test
  void everyCharacterChangedInA007TokensTextIsMalformedOrChangesNothing() {
    Map<SignatureMatch, Integer> outcomes = everyCharacterChanged(TOKEN, 3, null, null);

    assertThat(outcomes).doesNotContainKeys(SignatureMatch.NONE, SignatureMatch.PREVIOUS);
    assertThat(outcomes.get(SignatureMatch.UNCHECKED)).isGreaterThan(TOKEN.length() * 9 / 10);
  }

  /** A 006 token is not compressed: a changed character decodes, and its signature (or app id) fails. */
  @Test
  void everyCharacterChangedInA006TokensTextIsMalformedOrAnInvalidSignatureOrChangesNothing() {
    String token = Tokens.token006(CERTIFICATE, "room", "42", ISSUE_TS + 600,
        Map.of(AccessToken.Privileges.kJoinChannel, ISSUE_TS + 600));

    Map<SignatureMatch, Integer> outcomes = everyCharacterChanged(token, 3, "room", "42");

    assertThat(outcomes.get(SignatureMatch.NONE)).as("changes that decode, to a bad signature").isPositive();
  }

  /** Changes each character after {@code from} once; returns how often each signature outcome was seen. */
  private static Map<SignatureMatch, Integer> everyCharacterChanged(String token, int from, String channel,
      String user) {
    Inspection original = inspectorAt(ISSUE_TS).inspect(token, 0, channel, user);
    assertThat(original.findings()).isEmpty();
    Map<SignatureMatch, Integer> outcomes = new EnumMap<>(SignatureMatch.class);
    for (int i = from; i < token.length(); i++) {
      char c = token.charAt(i);
      char replacement = BASE64.indexOf(c) < 0 ? 'A'
          : BASE64.charAt((BASE64.indexOf(c) + 1 + i % 63) % 64);
      String tampered = token.substring(0, i) + replacement + token.substring(i + 1);

      Inspection inspection = inspectorAt(ISSUE_TS).inspect(tampered, 0, channel, user);

      if (inspection.signedWith() == SignatureMatch.CURRENT) {
        assertThat(inspection).as("changed at %d but reported genuine", i).isEqualTo(original);
      } else {
        assertThat(inspection.usable()).as("changed at %d", i).isFalse();
        assertThat(inspection.has(FindingCode.MALFORMED) || inspection.has(FindingCode.INVALID_SIGNATURE)
            || inspection.has(FindingCode.OTHER_APP_ID)
            || inspection.has(FindingCode.CHANNEL_DIFFERS) || inspection.has(FindingCode.USER_DIFFERS))
            .as("changed at %d: %s", i, inspection.findings()).isTrue();
      }
      outcomes.merge(inspection.signedWith(), 1, Integer::sum);
    }
    return outcomes;
  }

  @Test
  void a006TokenWithAChangedMessageIsAnInvalidSignature() {
    String token = Tokens.token006(CERTIFICATE, "room", "42", ISSUE_TS + 600,
        Map.of(AccessToken.Privileges.kJoinChannel, ISSUE_TS + 600));
    byte[] packed = Utils.base64Decode(token.substring(35));
    // signature (2 + 32), two checksums (8), message length (2), salt (4), then the expiry: one day later.
    packed[2 + 32 + 8 + 2 + 4 + 2] += 1;
    String tampered = token.substring(0, 35) + Utils.base64Encode(packed);

    Inspection inspection = inspectorAt(ISSUE_TS).inspect(tampered, 0, "room", "42");

    assertThat(inspection.expiresAt()).isEqualTo(ISSUE_TS + 600L + 65_536);
    assertThat(inspection.signedWith()).isEqualTo(SignatureMatch.NONE);
    assertThat(codes(inspection)).contains("invalid_signature");
  }

  private static int indexOf(byte[] data, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= data.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (data[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
