package io.tokenserver.connection;

import io.tokenserver.config.ProtocolLimits;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Per-connection protocol limits of one API verticle (confined to its event loop):
 * <ul>
 *   <li>at most {@code MAX_CONNECTIONS} open connections per process, and {@code MAX_CONNECTIONS_PER_ADDRESS}
 *   per client address ({@link OpenConnections}). When a cap is full, the connection of this event loop
 *   that has idled the longest (from the same address, for the per-address cap) is closed to make room;
 *   when none is idle, the new connection holds no slot, and unless one has freed by its first request, it
 *   gets one 503 and is closed, whatever it asks for ({@code /ping} included);</li>
 *   <li>slow clients: a request must arrive whole within {@code REQUEST_TIMEOUT_SECONDS} of its connection
 *   opening (or, on a kept-alive connection, within the idle timeout plus that); a request whose headers or
 *   body are still arriving then gets 408, and the connection is closed (a request received whole is the
 *   server's to answer, however long it takes). Deadlines are swept twice a second, so the request path
 *   only writes a few fields and arms no timer or handler;</li>
 *   <li>{@code Content-Length} together with {@code Transfer-Encoding} (request smuggling) gets 400 and the
 *   connection is closed: here when Netty kept both headers, in {@link StrictRequestDecoder} when it would
 *   have dropped Content-Length. Should a Vert.x upgrade stop that decoder from installing, every
 *   connection without it is counted ({@code strict_decoder_missing_total}) and the first is logged as an
 *   ERROR.</li>
 * </ul>
 */
public final class ConnectionGuard {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("Retry-After");
  private static final CharSequence ONE_SECOND = HttpHeaders.createOptimized("1");
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final AtomicBoolean DECODER_MISSING_LOGGED = new AtomicBoolean();

  static final long SWEEP_MILLIS = 500;

  private final Vertx vertx;
  private final long requestTimeoutMillis;
  private final long keepAliveMillis;
  private final OpenConnections openConnections;
  private final MultiMap errorHeaders;
  private final Map<HttpConnection, Tracked> tracked = new HashMap<>();
  private final long sweeper;
  private final Clock clock;
  private long now;
  /** Requests admitted so far: orders connections by their last request, without clock ties. */
  private long requests;

  /**
   * {@code openConnections} is shared by every verticle of the process; {@code errorHeaders} go on every
   * refusal (no-cache).
   */
  public ConnectionGuard(Vertx vertx, ProtocolLimits limits, OpenConnections openConnections,
      MultiMap errorHeaders) {
    this(vertx, limits, openConnections, errorHeaders, Clock.systemUTC());
  }

  /** The same, with deadlines read from {@code clock} (tests pass a fake one). */
  public ConnectionGuard(Vertx vertx, ProtocolLimits limits, OpenConnections openConnections,
      MultiMap errorHeaders, Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
    this.now = clock.millis();
    this.requestTimeoutMillis = limits.requestTimeoutSeconds() * 1000L;
    this.keepAliveMillis = (limits.idleTimeoutSeconds() + (long) limits.requestTimeoutSeconds()) * 1000L;
    this.openConnections = openConnections;
    this.errorHeaders = errorHeaders;
    this.sweeper = vertx.setPeriodic(SWEEP_MILLIS, id -> sweep());
  }

  public void onConnection(HttpConnection connection, HttpServerOptions options) {
    if (!StrictRequestDecoder.install(connection, options)) {
      openConnections.decoderMissing();
      if (DECODER_MISSING_LOGGED.compareAndSet(false, true)) {
        LOG.error("the strict HTTP request decoder could not be installed (Vert.x internals changed?): requests "
            + "with both Content-Length and Transfer-Encoding are no longer refused by it");
      }
    }
    String key = openConnections.key(connection.remoteAddress() == null ? null
        : connection.remoteAddress().hostAddress());
    Tracked state = new Tracked(connection, key, now + requestTimeoutMillis);
    openConnections.connected();
    takeSlot(state);
    tracked.put(connection, state);
    connection.closeHandler(closed -> {
      openConnections.disconnected();
      tracked.remove(connection);
      release(state);
    });
  }

  /** False when the request has been answered here (over the connection limit, or smuggling headers). */
  public boolean admit(HttpServerRequest request) {
    Tracked state = tracked.get(request.connection());
    if (state == null) {
      return true;
    }
    // Refused when it connected: older connections may have closed since, so look once more.
    if (!state.holdsSlot && !takeSlot(state)) {
      request.response().putHeader(RETRY_AFTER, ONE_SECOND);
      refuseAndClose(request, 503, "too many connections, retry shortly");
      return false;
    }
    if (request.headers().contains(HttpHeaders.CONTENT_LENGTH)
        && request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      refuseAndClose(request, 400, "Content-Length together with Transfer-Encoding is not allowed");
      return false;
    }
    state.request = request;
    state.served = true;
    state.lastRequest = ++requests;
    state.bodyExpected = hasBody(request);
    // The real clock, not the sweep's: under overload the sweep may run late and its time be stale.
    state.deadline = clock.millis() + requestTimeoutMillis;
    return true;
  }

  public void close() {
    vertx.cancelTimer(sweeper);
  }

  /**
   * Gives {@code state} a slot: when a cap is full, an idle keep-alive connection of this event loop is closed
   * to make room (of the same address when that address is full). Connections that only idle are what a
   * cap is most often full of after clients reconnect (a load balancer's blip), and each costs its client
   * nothing more than a reconnect; a connection with a request in flight is never closed for another.
   */
  private boolean takeSlot(Tracked state) {
    OpenConnections.Slot slot = openConnections.open(state.key);
    if (slot != OpenConnections.Slot.OPEN) {
      Tracked idle = longestIdle(slot == OpenConnections.Slot.ADDRESS_FULL ? state.key : null);
      if (idle == null) {
        return false;
      }
      evict(idle);
      // Another event loop may have taken the freed slot meanwhile: then this connection is refused.
      slot = openConnections.open(state.key);
    }
    state.holdsSlot = slot == OpenConnections.Slot.OPEN;
    return state.holdsSlot;
  }

  /** The connection idle the longest among those of {@code key} (any, when null); null when none is idle. */
  private Tracked longestIdle(String key) {
    Tracked longest = null;
    for (Tracked state : tracked.values()) {
      if (state.isIdle() && (key == null || key.equals(state.key))
          && (longest == null || state.lastRequest < longest.lastRequest)) {
        longest = state;
      }
    }
    return longest;
  }

  /** Closes an idle connection and frees its slot now (its close handler, later, finds nothing to free). */
  private void evict(Tracked state) {
    tracked.remove(state.connection);
    release(state);
    state.connection.close();
  }

  /** Frees the slot {@code state} holds, if any: called both on eviction and on close, it frees it once. */
  private void release(Tracked state) {
    if (state.holdsSlot) {
      state.holdsSlot = false;
      openConnections.close(state.key);
    }
  }

  private void sweep() {
    now = clock.millis();
    List<Map.Entry<HttpConnection, Tracked>> late = new ArrayList<>();
    for (Map.Entry<HttpConnection, Tracked> entry : tracked.entrySet()) {
      Tracked state = entry.getValue();
      if (state.request != null && state.request.response().ended()) {
        // Answered: the connection may now idle until its next request (no response handler is set per
        // request, so nothing here competes with vert.x-web's own end handlers).
        state.request = null;
        state.deadline = now + keepAliveMillis;
      } else if (state.deadline < now) {
        late.add(entry);
      }
    }
    for (Map.Entry<HttpConnection, Tracked> entry : late) {
      Tracked state = entry.getValue();
      HttpServerRequest request = state.request;
      if (request != null && (!state.bodyExpected || request.isEnded())) {
        // Received whole: the time is the server's (a queue, a stall), not a slow client's. The signing
        // pool's bound and the drain timeout limit it; look again at the next deadline.
        state.deadline = now + requestTimeoutMillis;
        continue;
      }
      state.deadline = Long.MAX_VALUE;
      if (request != null && !request.response().headWritten()) {
        refuseAndClose(request, 408, "request not received in time");
      } else {
        entry.getKey().close();
      }
    }
  }

  /** A JSON error with {@code Connection: close}, then the connection is closed once it is written. */
  void refuseAndClose(HttpServerRequest request, int status, String message) {
    HttpServerResponse response = request.response();
    HttpConnection connection = request.connection();
    if (response.ended() || response.closed()) {
      connection.close();
      return;
    }
    response.headers().addAll(errorHeaders);
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(new JsonObject().put("error", message).toBuffer())
        .onComplete(written -> connection.close());
  }

  /** True when a body follows the headers (Content-Length above 0, or Transfer-Encoding). */
  private static boolean hasBody(HttpServerRequest request) {
    String length = request.headers().get(HttpHeaders.CONTENT_LENGTH);
    return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || length != null && !"0".equals(length);
  }

  /** One connection's slot, its deadline, and the request it is waiting for (null between requests). */
  private static final class Tracked {
    final HttpConnection connection;
    /** Its per-address key, null when not capped per address. */
    final String key;
    long deadline;
    boolean holdsSlot;
    HttpServerRequest request;
    boolean bodyExpected;
    /** A request has arrived on it: a kept-alive connection, not one still to send its first. */
    boolean served;
    /** The guard's count of requests when its last one arrived: the longest idle is closed first. */
    long lastRequest;

    Tracked(HttpConnection connection, String key, long deadline) {
      this.connection = connection;
      this.key = key;
      this.deadline = deadline;
    }

    /** Kept alive and between requests: its last response is sent and no other request has arrived. */
    boolean isIdle() {
      return served && holdsSlot && (request == null || request.response().ended());
    }
  }
}
