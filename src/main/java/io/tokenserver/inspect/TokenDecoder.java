package io.tokenserver.inspect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes {@code 006} (AccessToken) and {@code 007} (AccessToken2) tokens. Every size is bounded, and anything
 * that is not a well-formed token is a {@link MalformedTokenException} whose message says what is wrong.
 *
 * <p>007: {@code "007" + base64(deflate(signature | appId issueTs expire salt serviceCount services…))}, each
 * service {@code type, privilegeCount, (privilege, expire)…} then its own fields (see {@code AccessToken2Minter}).
 * 006: {@code "006" + appId + base64(signature crcChannel crcUid message)}, the message being
 * {@code salt ts privilegeCount (privilege, expireTimestamp)…}.
 */
final class TokenDecoder {

  static final int MAX_TOKEN_CHARS = 4096;
  /** Real tokens inflate to well under 1 KiB; a deflate bomb stops here. */
  static final int MAX_CONTENT_BYTES = 16 * 1024;
  static final int MAX_SERVICES = 16;
  static final int MAX_PRIVILEGES = 32;
  private static final int VERSION_CHARS = 3;
  private static final int APP_ID_CHARS = 32;

  private TokenDecoder() {
  }

  static DecodedToken decode(String text, long now) throws MalformedTokenException {
    if (text == null || text.isEmpty()) {
      throw new MalformedTokenException("No token was given.");
    }
    if (text.length() > MAX_TOKEN_CHARS) {
      throw new MalformedTokenException("The token is " + text.length() + " characters long; Agora tokens are far "
          + "shorter, and at most " + MAX_TOKEN_CHARS + " are read.");
    }
    rejectWhitespace(text);
    if (text.startsWith("007")) {
      return decode007(text, now);
    }
    if (text.startsWith("006")) {
      return decode006(text, now);
    }
    throw new MalformedTokenException(wrongPrefix(text));
  }

  /** The version a token claims, when it is one this inspector reads. */
  static String claimedVersion(String text) {
    return text != null && (text.startsWith("006") || text.startsWith("007")) ? text.substring(0, 3) : null;
  }

  private static DecodedToken decode007(String text, long now) throws MalformedTokenException {
    byte[] content = inflate(base64(text.substring(VERSION_CHARS), VERSION_CHARS));
    ByteReader in = new ByteReader(content);
    byte[] signature = in.bytes("signature");
    int signedFrom = in.position();
    String appId = in.string("app id");
    long issueTs = in.u32("issue time");
    long expire = in.u32("expiry");
    long salt = in.u32("salt");
    int count = in.u16("service count");
    if (count > MAX_SERVICES) {
      throw new MalformedTokenException("The token claims " + count + " services; at most " + MAX_SERVICES
          + " are read.");
    }
    List<InspectedService> services = new ArrayList<>(count);
    Integer unknownType = null;
    int undecoded = 0;
    for (int i = 0; i < count; i++) {
      int type = in.u16("service type");
      List<InspectedPrivilege> privileges = privileges007(in, type, issueTs, now);
      String name = Names.service(type);
      InspectedService service = switch (type) {
        case InspectedService.RTC, InspectedService.STREAMING -> new InspectedService(type, name, privileges,
            in.string("channel name"), in.string("uid"), null, null, null, null);
        case InspectedService.RTM, InspectedService.CHAT -> new InspectedService(type, name, privileges, null,
            null, in.string("user id"), null, null, null);
        case InspectedService.FPA -> new InspectedService(type, name, privileges, null, null, null, null, null,
            null);
        case InspectedService.APAAS -> new InspectedService(type, name, privileges, null, null, null,
            in.string("room uuid"), in.string("user uuid"), (int) (short) in.u16("role"));
        // Its own fields have an unknown layout, so nothing after its privileges can be read.
        default -> new InspectedService(type, null, privileges, null, null, null, null, null, null);
      };
      services.add(service);
      if (name == null) {
        unknownType = type;
        undecoded = count - i;
        break;
      }
    }
    byte[] signedContent = Arrays.copyOfRange(content, signedFrom, content.length);
    return new DecodedToken("007", appId, issueTs, issueTs + expire, expire, salt, services, unknownType,
        undecoded, null, null, signature, signedContent);
  }

  private static List<InspectedPrivilege> privileges007(ByteReader in, int serviceType, long issueTs, long now)
      throws MalformedTokenException {
    int count = privilegeCount(in);
    List<InspectedPrivilege> privileges = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int id = in.u16("privilege");
      long stored = in.u32("privilege expiry");
      privileges.add(privilege(id, Names.privilege(serviceType, id), stored, stored == 0 ? null : issueTs + stored,
          now));
    }
    return privileges;
  }

  private static DecodedToken decode006(String text, long now) throws MalformedTokenException {
    int prefix = VERSION_CHARS + APP_ID_CHARS;
    if (text.length() <= prefix) {
      throw new MalformedTokenException("The token is too short for a 006 token (006, a 32-character app id, "
          + "then base64).");
    }
    String appId = text.substring(VERSION_CHARS, prefix);
    ByteReader in = new ByteReader(base64(text.substring(prefix), prefix));
    byte[] signature = in.bytes("signature");
    long channelCrc = in.u32("channel checksum");
    long userCrc = in.u32("uid checksum");
    byte[] message = in.bytes("privilege message");
    ByteReader m = new ByteReader(message);
    long salt = m.u32("salt");
    long ts = m.u32("expiry");
    int count = privilegeCount(m);
    List<InspectedPrivilege> rtc = new ArrayList<>();
    List<InspectedPrivilege> rtm = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int id = m.u16("privilege");
      long stored = m.u32("privilege expiry");
      InspectedPrivilege privilege = privilege(id, Names.privilege006(id), stored, stored == 0 ? null : stored, now);
      (id == Names.RTM_LOGIN_006 ? rtm : rtc).add(privilege);
    }
    // One list of privileges, shown as the services they belong to; channel and uid are known only by checksum.
    List<InspectedService> services = new ArrayList<>(2);
    if (!rtc.isEmpty()) {
      services.add(new InspectedService(InspectedService.RTC, "rtc", rtc, null, null, null, null, null, null));
    }
    if (!rtm.isEmpty()) {
      services.add(new InspectedService(InspectedService.RTM, "rtm", rtm, null, null, null, null, null, null));
    }
    return new DecodedToken("006", appId, null, ts, null, salt, services, null, 0, channelCrc, userCrc, signature,
        message);
  }

  private static int privilegeCount(ByteReader in) throws MalformedTokenException {
    int count = in.u16("privilege count");
    if (count > MAX_PRIVILEGES) {
      throw new MalformedTokenException("A service claims " + count + " privileges; at most " + MAX_PRIVILEGES
          + " are read.");
    }
    return count;
  }

  private static InspectedPrivilege privilege(int id, String name, long stored, Long expiresAt, long now) {
    return new InspectedPrivilege(id, name, stored, expiresAt, expiresAt == null ? null : expiresAt - now);
  }

  private static void rejectWhitespace(String text) throws MalformedTokenException {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ' ') {
        throw new MalformedTokenException("The token contains a space (character " + (i + 1) + "), which base64 "
            + "never does: a '+' turned into a space by URL decoding is the usual cause. Percent-encode the token "
            + "(encodeURIComponent) wherever it travels in a URL.");
      }
      if (Character.isWhitespace(c)) {
        throw new MalformedTokenException("The token contains a line break or other whitespace (character "
            + (i + 1) + "): copy it without.");
      }
    }
  }

  private static String wrongPrefix(String text) {
    if (text.startsWith("{")) {
      return "This is JSON, not a token: give the token itself (the value of rtcToken, rtmToken, chatToken or "
          + "token).";
    }
    if (text.startsWith("\"") || text.startsWith("'")) {
      return "The token is wrapped in quotes: give it without them.";
    }
    if (text.startsWith("eyJ")) {
      return "This is a JSON Web Token, not an Agora token.";
    }
    if (text.length() >= 3 && InspectedService.allDigits(text.substring(0, 3))) {
      return "Version " + text.substring(0, 3) + " tokens are not read: only 006 (AccessToken) and 007 "
          + "(AccessToken2).";
    }
    return "The token does not start with 006 or 007, as every Agora token this inspector reads does.";
  }

  /** Standard base64, as Agora's builders write it; {@code offset} is where {@code text} starts in the token. */
  private static byte[] base64(String text, int offset) throws MalformedTokenException {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '-' || c == '_') {
        throw new MalformedTokenException("The token uses the URL-safe base64 alphabet ('" + c + "' at character "
            + (offset + i + 1) + "); Agora tokens use standard base64 with '+' and '/'.");
      }
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new MalformedTokenException("The token is not valid base64 after its version prefix.");
    }
  }

  private static byte[] inflate(byte[] compressed) throws MalformedTokenException {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(compressed);
      byte[] out = new byte[MAX_CONTENT_BYTES];
      int length = 0;
      while (!inflater.finished()) {
        if (length == out.length) {
          throw new MalformedTokenException("The token's content inflates to more than " + MAX_CONTENT_BYTES
              + " bytes; real tokens are far smaller.");
        }
        int n = inflater.inflate(out, length, out.length - length);
        length += n;
        if (n == 0 && !inflater.finished() && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new MalformedTokenException("The token is truncated: its compressed content ends early.");
        }
      }
      return Arrays.copyOf(out, length);
    } catch (DataFormatException e) {
      throw new MalformedTokenException("The token's content is not valid deflate data: it was altered or cut.");
    } finally {
      inflater.end();
    }
  }
}
