package io.tokenserver.connection;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tokenserver.config.ServerConfig;
import io.tokenserver.net.TrustedProxies;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Open connections to the public port, shared by every API verticle of the process: in total
 * ({@code MAX_CONNECTIONS}) and per client address ({@code MAX_CONNECTIONS_PER_ADDRESS}, IPv6 by its /64),
 * so that one address cannot hold every slot. Trusted proxies are not capped per address: every client
 * behind them arrives from their few addresses.
 */
public final class OpenConnections implements MeterBinder {

  private final int max;
  private final int maxPerAddress;
  private final TrustedProxies proxies;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();
  private final AtomicLong decoderMissing = new AtomicLong();
  /** Every connection to the public port, refused ones too, until it closes. */
  private final AtomicInteger connected = new AtomicInteger();

  public OpenConnections(int max, int maxPerAddress, TrustedProxies proxies) {
    this.max = max;
    this.maxPerAddress = maxPerAddress;
    this.proxies = proxies;
  }

  /** The caps {@code config} sets, shared by every API verticle of one server. */
  public static OpenConnections of(ServerConfig config) {
    return new OpenConnections(config.protocolLimits().maxConnections(),
        config.protocolLimits().maxConnectionsPerAddress(), config.rateLimit().trustedProxies());
  }

  /** The outcome of {@link #open}: a slot, or the cap that is full. */
  enum Slot { OPEN, TOTAL_FULL, ADDRESS_FULL }

  /**
   * Takes a slot for a connection from {@code key} (null: not capped per address). A connection that is
   * refused takes nothing: were it counted until it closes, every refused client that reconnects at once
   * would keep the slots full for the next one.
   */
  Slot open(String key) {
    if (key != null && perAddress.getOrDefault(key, 0) >= maxPerAddress) {
      return Slot.ADDRESS_FULL;
    }
    int current;
    do {
      current = total.get();
      if (current >= max) {
        return Slot.TOTAL_FULL;
      }
    } while (!total.compareAndSet(current, current + 1));
    if (key == null) {
      return Slot.OPEN;
    }
    boolean[] taken = new boolean[1];
    perAddress.compute(key, (k, count) -> {
      int open = count == null ? 0 : count;
      taken[0] = open < maxPerAddress;
      return taken[0] ? open + 1 : count;
    });
    if (!taken[0]) {
      total.decrementAndGet();
      return Slot.ADDRESS_FULL;
    }
    return Slot.OPEN;
  }

  /** Gives back a slot that {@link #open} gave for {@code key}. */
  void close(String key) {
    total.decrementAndGet();
    if (key != null) {
      perAddress.computeIfPresent(key, (k, count) -> count == 1 ? null : count - 1);
    }
  }

  /** The per-address key of a peer, or null when the peer is a trusted proxy (not capped per address). */
  String key(String remoteAddress) {
    return proxies.trusts(remoteAddress) ? null : proxies.clientKey(remoteAddress, null);
  }

  /** Addresses with an open connection now. */
  public int addresses() {
    return perAddress.size();
  }

  /** A connection to the public port opened (whether or not it gets a slot); {@link #disconnected} when it closes. */
  void connected() {
    connected.incrementAndGet();
  }

  void disconnected() {
    connected.decrementAndGet();
  }

  /** Counts a connection the strict request decoder could not guard. */
  void decoderMissing() {
    decoderMissing.incrementAndGet();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("token.server.strict.decoder.missing", decoderMissing, AtomicLong::get)
        .description("Connections on which the strict request decoder (no Content-Length with chunked) "
            + "could not be installed; must stay 0")
        .register(registry);
    Gauge.builder("token.server.connections.open", connected, AtomicInteger::get)
        .description("Connections open on the API port, refused ones too until they close")
        .register(registry);
    Gauge.builder("token.server.connections.open.addresses", this, OpenConnections::addresses)
        .description("Client addresses (IPv6 by /64, trusted proxies left out) with an open connection")
        .register(registry);
  }
}
