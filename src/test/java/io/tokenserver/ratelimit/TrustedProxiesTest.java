package io.tokenserver.ratelimit;

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
}
