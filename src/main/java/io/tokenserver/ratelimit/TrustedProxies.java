package io.tokenserver.ratelimit;

import java.util.ArrayList;
import java.util.List;

/**
 * The proxies whose {@code X-Forwarded-For} is believed: IP addresses or CIDR ranges. Anybody else's
 * header is ignored, since any client can write one.
 */
public final class TrustedProxies {

  public static final TrustedProxies NONE = new TrustedProxies(List.of(), List.of());

  /** Headers can be long; more hops than this are not looked at. */
  static final int MAX_HOPS = 16;

  private final List<byte[]> networks;
  private final List<Integer> prefixLengths;

  private TrustedProxies(List<byte[]> networks, List<Integer> prefixLengths) {
    this.networks = networks;
    this.prefixLengths = prefixLengths;
  }

  /** Parses {@code 10.0.0.1}, {@code 10.0.0.0/8}, {@code fd00::/8}; throws IllegalArgumentException otherwise. */
  public static TrustedProxies parse(List<String> entries) {
    List<byte[]> networks = new ArrayList<>();
    List<Integer> prefixes = new ArrayList<>();
    for (String entry : entries) {
      int slash = entry.indexOf('/');
      byte[] address = IpAddress.parse(slash < 0 ? entry : entry.substring(0, slash));
      if (address == null) {
        throw new IllegalArgumentException("'" + entry + "' is not an IP address or CIDR range");
      }
      int prefix = address.length * 8;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > address.length * 8) {
          throw new IllegalArgumentException("'" + entry + "' has an invalid prefix length");
        }
      }
      networks.add(address);
      prefixes.add(prefix);
    }
    return networks.isEmpty() ? NONE : new TrustedProxies(List.copyOf(networks), List.copyOf(prefixes));
  }

  public boolean isEmpty() {
    return networks.isEmpty();
  }

  boolean contains(byte[] address) {
    for (int n = 0; n < networks.size(); n++) {
      byte[] network = networks.get(n);
      if (network.length == address.length && samePrefix(network, address, prefixLengths.get(n))) {
        return true;
      }
    }
    return false;
  }

  private static boolean samePrefix(byte[] a, byte[] b, int bits) {
    int whole = bits / 8;
    for (int i = 0; i < whole; i++) {
      if (a[i] != b[i]) {
        return false;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff << (8 - rest) & 0xff;
    return (a[whole] & mask) == (b[whole] & mask);
  }

  /**
   * The rate-limit key of the client behind {@code remoteAddress}: the peer itself, or, when the peer is a
   * trusted proxy, the rightmost {@code X-Forwarded-For} hop that is not a trusted proxy (the hops left of it
   * were written by the client and prove nothing).
   *
   * @param forwardedFor every X-Forwarded-For header value joined by commas, or null
   */
  public String clientKey(String remoteAddress, String forwardedFor) {
    byte[] peer = IpAddress.parse(remoteAddress);
    if (peer == null) {
      return remoteAddress == null ? "unknown" : remoteAddress;
    }
    if (forwardedFor == null || isEmpty() || !contains(peer)) {
      return IpAddress.callerKey(peer);
    }
    byte[] client = peer;
    int end = forwardedFor.length();
    for (int hop = 0; hop < MAX_HOPS && end > 0; hop++) {
      int comma = forwardedFor.lastIndexOf(',', end - 1);
      byte[] address = IpAddress.parse(forwardedFor.substring(comma + 1, end).trim());
      if (address == null) {
        break; // garbage was written by someone untrusted: the last good hop is the client
      }
      client = address;
      if (!contains(address)) {
        break;
      }
      end = comma;
    }
    return IpAddress.callerKey(client);
  }
}
