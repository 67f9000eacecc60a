package io.tokenserver.net;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustedProxiesTest {

  private final TrustedProxies proxies = TrustedProxies.parse(List.of("10.0.0.0/8", "192.168.1.7", "fd00::/8"));

  @Test
  void withoutTrustedProxiesTheHeaderIsIgnored() {
    assertThat(TrustedProxies.NONE.clientKey("203.0.113.9", "1.2.3.4")).isEqualTo("203.0.113.9");
  }

  @Test
  void aHeaderFromAnUntrustedPeerIsIgnored() {
    assertThat(proxies.clientKey("203.0.113.9", "1.2.3.4")).isEqualTo("203.0.113.9");
  }

  @Test
  void behindATrustedProxyTheRightmostUntrustedHopIsTheClient() {
    assertThat(proxies.clientKey("10.1.2.3", "1.2.3.4")).isEqualTo("1.2.3.4");
    // The client wrote "6.6.6.6" itself; our proxies appended the rest.
    assertThat(proxies.clientKey("10.1.2.3", "6.6.6.6, 1.2.3.4, 192.168.1.7, 10.9.9.9")).isEqualTo("1.2.3.4");
  }

  @Test
  void garbageInTheHeaderEndsTheWalkAtTheLastGoodHop() {
    assertThat(proxies.clientKey("10.1.2.3", "evil, 10.0.0.5")).isEqualTo("10.0.0.5");
    assertThat(proxies.clientKey("10.1.2.3", "")).isEqualTo("10.1.2.3");
    assertThat(proxies.clientKey("10.1.2.3", "localhost")).as("names are never resolved").isEqualTo("10.1.2.3");
    assertThat(proxies.clientKey("10.1.2.3", "1.2.3.4.5, 999.1.1.1")).isEqualTo("10.1.2.3");
  }

  @Test
  void onlyPeersInsideTheRangesAreTrusted() {
    assertThat(proxies.clientKey("11.0.0.1", "1.2.3.4")).isEqualTo("11.0.0.1");
    assertThat(proxies.clientKey("192.168.1.8", "1.2.3.4")).isEqualTo("192.168.1.8");
    assertThat(proxies.clientKey("192.168.1.7", "1.2.3.4")).isEqualTo("1.2.3.4");
  }

  @Test
  void ipv6ClientsAreCountedByTheirSlash64() {
    assertThat(proxies.clientKey("2001:db8:1:2:aaaa::1", null)).isEqualTo(proxies.clientKey("2001:db8:1:2:bbbb::2", null));
    assertThat(proxies.clientKey("2001:db8:1:2::1", null)).isNotEqualTo(proxies.clientKey("2001:db8:1:3::1", null));
    assertThat(proxies.clientKey("fd00::1", "2001:db8::7")).isEqualTo(proxies.clientKey("2001:db8::8", null));
  }

  @Test
  void invalidEntriesAreRejected() {
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("proxy.internal"))).hasMessageContaining("proxy.internal");
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/33"))).hasMessageContaining("prefix");
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/x"))).hasMessageContaining("prefix");
  }

  @Test
  void hopsWrittenWithAPortAreParsed() {
    assertThat(proxies.clientKey("10.1.2.3", "1.2.3.4:5678")).isEqualTo("1.2.3.4");
    assertThat(proxies.clientKey("10.1.2.3", "6.6.6.6, 1.2.3.4:5678, 10.0.0.9:80")).isEqualTo("1.2.3.4");
    assertThat(proxies.clientKey("10.1.2.3", "[2001:db8::1]:443")).isEqualTo(proxies.clientKey("2001:db8::1", null));
    assertThat(proxies.clientKey("10.1.2.3", "[2001:db8::1]")).isEqualTo(proxies.clientKey("2001:db8::1", null));
    assertThat(proxies.clientKey("10.1.2.3", "[fd00::5]:443, 10.0.0.1")).as("trusted hops with ports are skipped")
        .isEqualTo(proxies.clientKey("fd00::5", null));
  }

  @Test
  void malformedHopsAreGarbageNeverNames() {
    for (String hop : new String[] {".:", "[", "[]", "[1.2.3.4]", "1.2.3.4:", "1.2.3.4:123456", "1.2.3.4:http",
        "[2001:db8::1]x", "[2001:db8::1]:", "example.com:80", "localhost:8080"}) {
      assertThat(IpAddress.parseHop(hop)).as(hop).isNull();
      assertThat(proxies.clientKey("10.1.2.3", hop)).as(hop).isEqualTo("10.1.2.3");
    }
  }

  @Test
  void aRangeThatTrustsEveryAddressIsRefused() {
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("0.0.0.0/0"))).hasMessageContaining("every address");
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("::/0"))).hasMessageContaining("every address");
    assertThat(TrustedProxies.parse(List.of("0.0.0.0/1")).isEmpty()).isFalse();
  }

  @Test
  void anIpv4MappedClientIsLimitedAsItsIpv4Address() {
    assertThat(proxies.clientKey("::ffff:203.0.113.9", null)).isEqualTo("203.0.113.9");
    assertThat(proxies.clientKey("::ffff:cb00:7109", null)).as("hex form").isEqualTo("203.0.113.9");
    assertThat(proxies.clientKey("0:0:0:0:0:ffff:203.0.113.9", null)).isEqualTo("203.0.113.9");
    // Behind a trusted proxy, two such clients are two buckets, not one shared "::/64".
    assertThat(proxies.clientKey("10.1.2.3", "::ffff:1.2.3.4")).isEqualTo("1.2.3.4");
    assertThat(proxies.clientKey("10.1.2.3", "::ffff:5.6.7.8")).isEqualTo("5.6.7.8");
    assertThat(proxies.clientKey("10.1.2.3", "[::ffff:1.2.3.4]:443")).isEqualTo("1.2.3.4");
  }

  @Test
  void anIpv4MappedPeerOrHopMatchesItsIpv4TrustedProxy() {
    TrustedProxies single = TrustedProxies.parse(List.of("10.0.0.1"));
    assertThat(single.trusts("::ffff:10.0.0.1")).isTrue();
    assertThat(single.trusts("::ffff:10.0.0.2")).isFalse();
    assertThat(single.clientKey("::ffff:10.0.0.1", "1.2.3.4")).isEqualTo("1.2.3.4");
    // A mapped trusted hop is skipped like the plain one.
    assertThat(single.clientKey("10.0.0.1", "1.2.3.4, ::ffff:10.0.0.1")).isEqualTo("1.2.3.4");
  }

  @Test
  void anIpv4MappedRangeIsItsIpv4Range() {
    TrustedProxies mapped = TrustedProxies.parse(List.of("::ffff:10.0.0.0/104"));
    assertThat(mapped.trusts("10.9.9.9")).isTrue();
    assertThat(mapped.trusts("::ffff:10.9.9.9")).isTrue();
    assertThat(mapped.trusts("11.0.0.1")).isFalse();
    assertThat(mapped.clientKey("10.9.9.9", "::ffff:1.2.3.4")).isEqualTo("1.2.3.4");
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("::ffff:0.0.0.0/96"))).hasMessageContaining("every address");
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("::ffff:10.0.0.0/80"))).hasMessageContaining("96");
  }
}
