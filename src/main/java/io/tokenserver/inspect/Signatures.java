package io.tokenserver.inspect;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.zip.CRC32;

/** Recomputes token signatures (HMAC-SHA256) for a certificate. */
final class Signatures {

  private static final String HMAC_SHA256 = "HmacSHA256";

  private Signatures() {
  }

  /** 007: {@code HMAC(HMAC(salt, HMAC(issueTs, certificate)), signed content)}. */
  static boolean matches007(String certificate, DecodedToken token) {
    Mac mac = mac();
    byte[] signing = hmac(mac, le32(token.issuedAt()), certificate.getBytes(StandardCharsets.US_ASCII));
    signing = hmac(mac, le32(token.salt()), signing);
    return MessageDigest.isEqual(hmac(mac, signing, token.signedContent()), token.signature());
  }

  /** 006: {@code HMAC(certificate, appId + channel + uid + message)}. */
  static boolean matches006(String certificate, DecodedToken token, String channel, String user) {
    byte[] appId = token.appId().getBytes(StandardCharsets.UTF_8);
    byte[] channelBytes = channel.getBytes(StandardCharsets.UTF_8);
    byte[] userBytes = user.getBytes(StandardCharsets.UTF_8);
    byte[] message = token.signedContent();
    byte[] signed = new byte[appId.length + channelBytes.length + userBytes.length + message.length];
    int at = 0;
    for (byte[] part : new byte[][] {appId, channelBytes, userBytes, message}) {
      System.arraycopy(part, 0, signed, at, part.length);
      at += part.length;
    }
    byte[] expected = hmac(mac(), certificate.getBytes(StandardCharsets.US_ASCII), signed);
    return MessageDigest.isEqual(expected, token.signature());
  }

  /** The checksum a 006 token stores for its channel and its uid. */
  static long crc32(String value) {
    CRC32 crc = new CRC32();
    crc.update(value.getBytes(StandardCharsets.UTF_8));
    return crc.getValue();
  }

  private static Mac mac() {
    try {
      return Mac.getInstance(HMAC_SHA256);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static byte[] hmac(Mac mac, byte[] key, byte[] data) {
    try {
      mac.init(new SecretKeySpec(key, HMAC_SHA256));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot key HmacSHA256", e);
    }
    return mac.doFinal(data);
  }

  private static byte[] le32(long value) {
    return new byte[] {(byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24)};
  }
}
