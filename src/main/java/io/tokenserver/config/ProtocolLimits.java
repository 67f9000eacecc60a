package io.tokenserver.config;

/**
 * HTTP protocol limits of the public port: what a single client may send and hold open.
 *
 * @param maxHeaderSize bytes of all request headers together; larger gets 431
 * @param maxInitialLineLength bytes of the request line; longer gets 414
 * @param idleTimeoutSeconds a connection with no traffic this long is closed (keep it above the load
 *     balancer's idle timeout, or the balancer may reuse a connection the server is closing)
 * @param requestTimeoutSeconds a request must arrive whole (headers and body) this long after its
 *     connection opened or became idle-plus-this-long; slow clients get 408 and are disconnected
 * @param maxConnections open connections to the public port, per process; at the cap an idle kept-alive
 *     connection is closed to make room, and only when none is idle does the new one get 503 and close
 * @param maxConnectionsPerAddress open connections from one client address (the peer, not X-Forwarded-For),
 *     so that one address cannot hold every slot; at the cap an idle connection of that address makes room
 */
public record ProtocolLimits(int maxHeaderSize, int maxInitialLineLength, int idleTimeoutSeconds,
    int requestTimeoutSeconds, int maxConnections, int maxConnectionsPerAddress) {

  static ProtocolLimits from(ServerConfig.Reader in) {
    return new ProtocolLimits(
        in.integer("MAX_HEADER_SIZE", 1024, 1 << 20),
        in.integer("MAX_INITIAL_LINE_LENGTH", 256, 1 << 20),
        in.integer("IDLE_TIMEOUT_SECONDS", 1, 86_400),
        in.integer("REQUEST_TIMEOUT_SECONDS", 1, 3_600),
        in.integer("MAX_CONNECTIONS", 1, 1_000_000),
        in.integer("MAX_CONNECTIONS_PER_ADDRESS", 1, 1_000_000));
  }
}
