package io.tokenserver.net;

import io.netty.util.NetUtil;

import java.util.Arrays;

/** IP literals parsed by Netty's {@link NetUtil}, which never touches DNS: client headers must not trigger lookups. */
final class IpAddress {

  private static final int MAPPED_PREFIX_BYTES = 12;

  private IpAddress() {
  }

  /**
   * The 4 or 16 address bytes of an IPv4 or IPv6 literal, or null when {@code text} is not one. An
   * IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, as dual-stack sockets and proxies write IPv4 peers)
   * is its IPv4 address: otherwise every such client would share one key, the /64 {@code ::}.
   */
  static byte[] parse(String text) {
    return unmapped(literal(text));
  }

  /** The address bytes of {@code text} as written (a mapped address stays 16 bytes), or null. */
  static byte[] literal(String text) {
    if (text == null || text.isEmpty() || text.length() > 45) {
      return null;
    }
    return NetUtil.createByteArrayFromIpAddressString(text);
  }

  /** True for the 16 bytes of {@code ::ffff:a.b.c.d}. */
  static boolean isIpv4Mapped(byte[] address) {
    if (address == null || address.length != 16) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (address[i] != 0) {
        return false;
      }
    }
    return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
  }

  /** {@code address}, or its last 4 bytes when it is IPv4-mapped. */
  static byte[] unmapped(byte[] address) {
    return isIpv4Mapped(address) ? Arrays.copyOfRange(address, MAPPED_PREFIX_BYTES, 16) : address;
  }

  /**
   * The address of one {@code X-Forwarded-For} hop, which proxies may write with a port:
   * {@code 1.2.3.4}, {@code 1.2.3.4:5678}, {@code 2001:db8::1}, {@code [2001:db8::1]} or
   * {@code [2001:db8::1]:443}; null for anything else.
   */
  static byte[] parseHop(String hop) {
    if (hop.startsWith("[")) {
      int close = hop.indexOf(']');
      if (close < 0 || !(close == hop.length() - 1 || isPort(hop, close + 1))) {
        return null;
      }
      byte[] address = literal(hop.substring(1, close));
      return address != null && address.length == 16 ? unmapped(address) : null;
    }
    int colon = hop.indexOf(':');
    if (colon >= 0 && colon == hop.lastIndexOf(':')) {
      // One colon: IPv4 with a port (an IPv6 literal has at least two).
      byte[] address = isPort(hop, colon) ? parse(hop.substring(0, colon)) : null;
      return address != null && address.length == 4 ? address : null;
    }
    return parse(hop);
  }

  /** True when {@code text} from {@code colon} on is {@code :} and 1 to 5 digits. */
  private static boolean isPort(String text, int colon) {
    int digits = text.length() - colon - 1;
    if (text.charAt(colon) != ':' || digits < 1 || digits > 5) {
      return false;
    }
    for (int i = colon + 1; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * The rate-limit identity of an address: IPv4 whole, IPv6 by its /64 prefix (one subscriber usually
   * holds a whole /64, so limiting single IPv6 addresses would be trivial to evade).
   */
  static String callerKey(byte[] address) {
    StringBuilder key = new StringBuilder(24);
    if (address.length == 4) {
      for (int i = 0; i < 4; i++) {
        key.append(i == 0 ? "" : ".").append(address[i] & 0xff);
      }
      return key.toString();
    }
    for (int i = 0; i < 8; i += 2) {
      key.append(Integer.toHexString((address[i] & 0xff) << 8 | address[i + 1] & 0xff)).append(':');
    }
    return key.append(":/64").toString();
  }
}
