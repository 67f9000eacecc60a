package io.tokenserver.ratelimit;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** IP literals parsed without ever touching DNS: client headers must not trigger lookups. */
final class IpAddress {

  private IpAddress() {
  }

  /** The 4 or 16 address bytes of an IPv4 or IPv6 literal, or null when {@code text} is not one. */
  static byte[] parse(String text) {
    if (text == null || text.isEmpty() || text.length() > 45) {
      return null;
    }
    if (text.indexOf(':') < 0) {
      return ipv4(text);
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean allowed = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.';
      if (!allowed) {
        return null;
      }
    }
    try {
      // A literal with ':' is parsed, never resolved.
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException | IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] ipv4(String text) {
    byte[] bytes = new byte[4];
    int part = 0;
    int value = -1;
    for (int i = 0; i <= text.length(); i++) {
      char c = i == text.length() ? '.' : text.charAt(i);
      if (c == '.') {
        if (value < 0 || part > 3) {
          return null;
        }
        bytes[part++] = (byte) value;
        value = -1;
      } else if (c >= '0' && c <= '9') {
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (value > 255) {
          return null;
        }
      } else {
        return null;
      }
    }
    return part == 4 ? bytes : null;
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
