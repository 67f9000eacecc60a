package io.tokenserver.support;

import io.agora.media.AccessToken2;
import io.agora.media.Utils;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A token parsed by the library's own {@link AccessToken2#parse} whose signature has been recomputed
 * with the app certificate. Construction fails the test when the token is not genuine.
 */
public final class VerifiedToken {

  public final AccessToken2 token;

  private VerifiedToken(AccessToken2 token) {
    this.token = token;
  }

  /** Parses {@code text} and checks its HMAC signature against {@code appCertificate}. */
  public static VerifiedToken verify(String text, String appCertificate) {
    assertThat(text).as("token").startsWith("007").hasSizeGreaterThan(10);
    AccessToken2 token = new AccessToken2();
    assertThat(token.parse(text)).as("AccessToken2.parse accepts the token").isTrue();
    token.appCert = appCertificate;

    // Layout after "007": base64(deflate(signature(len-prefixed) | signed content)).
    ByteBuffer data = ByteBuffer.wrap(Utils.decompress(Utils.base64Decode(text.substring(3))))
        .order(ByteOrder.LITTLE_ENDIAN);
    byte[] signature = new byte[data.getShort()];
    data.get(signature);
    byte[] signedContent = new byte[data.remaining()];
    data.get(signedContent);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(token.getSign(), "HmacSHA256"));
      assertThat(MessageDigest.isEqual(mac.doFinal(signedContent), signature))
          .as("signature is valid for the app certificate").isTrue();
    } catch (Exception e) {
      throw new AssertionError("cannot recompute the signature", e);
    }
    return new VerifiedToken(token);
  }

  public static VerifiedToken verify(String text) {
    return verify(text, FakeCredentials.APP_CERTIFICATE);
  }

  public AccessToken2.ServiceRtc rtc() {
    assertThat(token.services).containsKey(AccessToken2.SERVICE_TYPE_RTC);
    return (AccessToken2.ServiceRtc) token.services.get(AccessToken2.SERVICE_TYPE_RTC);
  }

  public AccessToken2.ServiceRtm rtm() {
    assertThat(token.services).containsKey(AccessToken2.SERVICE_TYPE_RTM);
    return (AccessToken2.ServiceRtm) token.services.get(AccessToken2.SERVICE_TYPE_RTM);
  }

  public AccessToken2.ServiceChat chat() {
    assertThat(token.services).containsKey(AccessToken2.SERVICE_TYPE_CHAT);
    return (AccessToken2.ServiceChat) token.services.get(AccessToken2.SERVICE_TYPE_CHAT);
  }

  /** Asserts app id, a fresh issue time and the token's lifetime in seconds. */
  public VerifiedToken issuedFor(String appId, int expirySeconds) {
    long now = System.currentTimeMillis() / 1000;
    assertThat(token.appId).isEqualTo(appId);
    assertThat((long) token.issueTs).isBetween(now - 60, now + 1);
    assertThat(token.expire).as("token expire (seconds after issue)").isEqualTo(expirySeconds);
    return this;
  }

  public VerifiedToken issuedFor(int expirySeconds) {
    return issuedFor(FakeCredentials.APP_ID, expirySeconds);
  }

  /** Publisher: join + publish audio/video/data; subscriber: join only; each expiring with the token. */
  public static Map<Short, Integer> rtcPrivileges(boolean publisher, int expirySeconds) {
    Map<Short, Integer> expected = new TreeMap<>();
    expected.put(AccessToken2.PrivilegeRtc.PRIVILEGE_JOIN_CHANNEL.intValue, expirySeconds);
    if (publisher) {
      expected.put(AccessToken2.PrivilegeRtc.PRIVILEGE_PUBLISH_AUDIO_STREAM.intValue, expirySeconds);
      expected.put(AccessToken2.PrivilegeRtc.PRIVILEGE_PUBLISH_VIDEO_STREAM.intValue, expirySeconds);
      expected.put(AccessToken2.PrivilegeRtc.PRIVILEGE_PUBLISH_DATA_STREAM.intValue, expirySeconds);
    }
    return expected;
  }

}
