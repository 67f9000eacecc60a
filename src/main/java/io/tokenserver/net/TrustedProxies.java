package io.tokenserver.net;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxies whose {@code X-Forwarded-For} is believed: IP addresses or CIDR ranges. Anybody else's
 * header is ignored, since any client can write one.
 */
public final class TrustedProxies {

  public static final TrustedProxies NONE = new TrustedProxies(List.of());
  private static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("X-Forwarded-For");

  /** Headers can be long; more hops than this are not looked at. */
  static final int MAX_HOPS = 16;

  private final List<IpSubnetFilterRule> ranges;

  private TrustedProxies(List<IpSubnetFilterRule> ranges) {
    this.ranges = ranges;
  }

  /**
   * Parses {@code 10.0.0.1}, {@code 10.0.0.0/8}, {@code fd00::/8} ({@code ::ffff:10.0.0.0/104} is
   * {@code 10.0.0.0/8}); throws IllegalArgumentException otherwise, and for a {@code /0} range, which would
   * believe every client's header.
   */
  public static TrustedProxies parse(List<String> entries) {
    List<IpSubnetFilterRule> ranges = new ArrayList<>();
    for (String entry : entries) {
      int slash = entry.indexOf('/');
      byte[] address = IpAddress.literal(slash < 0 ? entry : entry.substring(0, slash));
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
      if (IpAddress.isIpv4Mapped(address)) {
        // Peers and hops are compared as IPv4 when mapped (::ffff:a.b.c.d), so the range must be IPv4 too.
        if (prefix < 96) {
          throw new IllegalArgumentException("'" + entry + "' is IPv4-mapped: its prefix length must be 96 or more");
        }
        address = IpAddress.unmapped(address);
        prefix -= 96;
      }
      if (prefix == 0) {
        throw new IllegalArgumentException("'" + entry + "' would trust every address (prefix length 0)");
      }
      ranges.add(new IpSubnetFilterRule(inet(address), prefix, IpFilterRuleType.ACCEPT));
    }
    return ranges.isEmpty() ? NONE : new TrustedProxies(List.copyOf(ranges));
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** True when the peer {@code remoteAddress} (an IP literal) is a trusted proxy. */
  public boolean trusts(String remoteAddress) {
    byte[] peer = IpAddress.parse(remoteAddress);
    return peer != null && !isEmpty() && contains(peer);
  }

  boolean contains(byte[] address) {
    InetSocketAddress socket = new InetSocketAddress(inet(address), 0);
    for (IpSubnetFilterRule range : ranges) {
      if (range.matches(socket)) {
        return true;
      }
    }
    return false;
  }

  /** Wraps address bytes; {@link InetAddress#getByAddress(byte[])} never resolves anything. */
  private static InetAddress inet(byte[] address) {
    try {
      return InetAddress.getByAddress(address);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not 4 or 16 bytes", e);
    }
  }

  /** The rate-limit key of the client that sent {@code request}: see {@link #clientKey(String, String)}. */
  public String clientKey(HttpServerRequest request) {
    String remote = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    if (isEmpty()) {
      return clientKey(remote, null); // nobody's header is believed: not even read
    }
    List<String> forwarded = request.headers().getAll(X_FORWARDED_FOR);
    return clientKey(remote, forwarded.isEmpty() ? null : String.join(",", forwarded));
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
      byte[] address = IpAddress.parseHop(forwardedFor.substring(comma + 1, end).trim());
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
