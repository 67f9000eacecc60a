package io.tokenserver.inspect;

import io.agora.media.AccessToken;
import io.agora.media.AccessToken2;
import io.agora.media.Utils;
import io.tokenserver.support.FakeCredentials;
import io.tokenserver.token.AppCredentials;

import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.zip.Deflater;

/** Tokens built by the io.agora library with pinned issue time and salt, and inspectors with a fixed clock. */
final class Tokens {

  static final String APP_ID = FakeCredentials.APP_ID;
  static final String CERTIFICATE = FakeCredentials.APP_CERTIFICATE;
  /** The certificate before a rotation: tokens signed with it are still in circulation. */
  static final String PREVIOUS_CERTIFICATE = "0123456789abcdef0123456789abcdef";
  /** Another Agora project. */
  static final String OTHER_APP_ID = "aaaabbbbccccddddeeeeffff00001111";
  static final String OTHER_CERTIFICATE = "99998888777766665555444433332222";

  static final int ISSUE_TS = 1_700_000_000;
  /** Negative as a Java int: reported as the unsigned 32-bit number the token carries. */
  static final int SALT = -123_456_789;
  static final long SALT_UNSIGNED = Integer.toUnsignedLong(SALT);

  private Tokens() {
  }

  /** An inspector whose clock reads {@code epochSeconds}, knowing the current and the previous certificate. */
  static TokenInspector inspectorAt(long epochSeconds) {
    return new TokenInspector(FakeCredentials.CREDENTIALS, PREVIOUS_CERTIFICATE, clockAt(epochSeconds));
  }

  static TokenInspector inspectorWithoutPreviousAt(long epochSeconds) {
    return new TokenInspector(new AppCredentials(APP_ID, CERTIFICATE), null, clockAt(epochSeconds));
  }

  static Clock clockAt(long epochSeconds) {
    return Clock.fixed(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC);
  }

  /** A 007 token signed with {@code certificate} for {@code appId}, issued at {@link #ISSUE_TS}. */
  static String token007(String appId, String certificate, int expire, AccessToken2.Service... services) {
    AccessToken2 token = new AccessToken2(appId, certificate, expire);
    token.issueTs = ISSUE_TS;
    token.salt = SALT;
    for (AccessToken2.Service service : services) {
      token.addService(service);
    }
    try {
      return token.build();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static String token007(int expire, AccessToken2.Service... services) {
    return token007(APP_ID, CERTIFICATE, expire, services);
  }

  static AccessToken2.ServiceRtc rtc(String channel, String user, int... privilegeExpires) {
    AccessToken2.ServiceRtc service = new AccessToken2.ServiceRtc(channel, user);
    for (int i = 0; i < privilegeExpires.length; i++) {
      service.privileges.put((short) (i + 1), privilegeExpires[i]);
    }
    return service;
  }

  /** A 006 token for {@code channel} and {@code uid} ("" for uid 0) with the given privileges. */
  static String token006(String certificate, String channel, String uid, int ts, Map<AccessToken.Privileges, Integer>
      privileges) {
    AccessToken token = new AccessToken(APP_ID, certificate, channel, uid);
    token.message.salt = SALT;
    token.message.ts = ts;
    privileges.forEach(token::addPrivilege);
    try {
      return token.build();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The inflated content of a 007 token: signature, then the signed content. */
  static byte[] content007(String token) {
    return Utils.decompress(Utils.base64Decode(token.substring(3)));
  }

  /** Deflates and encodes as the library does (its own Utils.compress never returns for empty content). */
  static String encode007(byte[] content) {
    Deflater deflater = new Deflater();
    deflater.setInput(content);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    while (!deflater.finished()) {
      out.write(buffer, 0, deflater.deflate(buffer));
    }
    deflater.end();
    return "007" + Base64.getEncoder().encodeToString(out.toByteArray());
  }
}
