package io.tokenserver;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The warm-up's client: HTTP/1.1 keep-alive requests, built once, written from plain JDK non-blocking sockets
 * on one thread of its own, one request in flight per connection, as a load balancer sends them.
 *
 * <p>Why not a Vert.x client: the JIT profiles every call site it sees, and a Vert.x client runs the same Netty
 * and Vert.x classes as the server (pipeline contexts, the HTTP codec, futures). Its calls made the server's
 * call sites polymorphic and gave the JIT twice the code to compile, so on one core the server was still
 * compiling when the warm-up ended. This client shares no class with the server's request path; it costs
 * about what an external load generator on the same core would.
 */
final class LoopbackLoad {

  /** A response larger than this is not one of ours: the connection is given up. */
  private static final int MAX_RESPONSE_BYTES = 16 * 1024;
  private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};
  private static final byte[] CONTENT_LENGTH = "\r\ncontent-length:".getBytes(StandardCharsets.ISO_8859_1);
  private static final byte[] STATUS_LINE_START = "HTTP/1.1 ".getBytes(StandardCharsets.ISO_8859_1);
  /** How often requests in flight are checked against the timeout. */
  private static final long SWEEP_NANOS = 100_000_000;
  /**
   * Answers after which a connection is closed and opened anew: clients come and go, so accepting a connection
   * (the pipeline, the connection guard) must be as warm as serving a request on it. And clients stay: Netty
   * shrinks a connection's read buffer a step at a time after small reads, and connections of 32 answers never
   * got down to the size of a request, where its other branches run; the first users' kept-alive connections
   * then threw away the compiled read path (JFR, docs/benchmarks.md).
   */
  static final int REQUESTS_PER_CONNECTION = 128;
  /**
   * Every this many times a connection is opened anew, the old one is reset with a request in flight instead of
   * closed after its answer: clients that give up (and load generators that stop) do that, and the server's code
   * for a reset connection should be compiled before users send one.
   */
  static final int RESET_EVERY = 4;

  /**
   * Load in bursts: {@code loadNanos} of requests, then a pause of {@code pauseMillis} while the server answers
   * what is in flight and then idles. Zero pause: no bursts, load all the time.
   */
  record Pacing(long loadNanos, long pauseMillis) {
    static final Pacing STEADY = new Pacing(0, 0);
  }

  private final InetSocketAddress address;
  private final List<byte[]> requests;
  private final long requestTimeoutNanos;
  private final Pacing pacing;

  /** @param requests whole HTTP/1.1 requests, sent in turn by every connection */
  LoopbackLoad(InetSocketAddress address, List<byte[]> requests, long requestTimeoutNanos, Pacing pacing) {
    this.address = address;
    this.requests = List.copyOf(requests);
    this.requestTimeoutNanos = requestTimeoutNanos;
    this.pacing = pacing;
  }

  /**
   * What a run did: answers (2xx or 4xx), connections that ended early (5xx, timed out, closed), and connections it
   * reset on purpose ({@link #RESET_EVERY}).
   */
  record Result(long answered, int connectionsLost, int connectionsReset) {
  }

  /**
   * Sends on {@code connections} connections until {@code deadlineNanos} ({@link System#nanoTime()}), then waits
   * for the answers in flight (each bounded by the request timeout) and closes every connection. A connection that
   * gets a 5xx, a malformed answer, none in time, or an error stops there: a warm-up never retries. With a
   * {@link Pacing}, the whole client pauses after each burst until the deadline.
   */
  Result run(int connections, long deadlineNanos) throws IOException {
    long answered = 0;
    int lost = 0;
    int reset = 0;
    try (Selector selector = Selector.open()) {
      List<Lane> lanes = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        Lane lane = new Lane(i);
        lanes.add(lane);
        lane.connect(selector);
      }
      int open = connections;
      long sweptAt = System.nanoTime();
      long burstStart = sweptAt;
      while (open > 0) {
        selector.select(100);
        long now = System.nanoTime();
        if (pacing.pauseMillis() > 0 && now - burstStart >= pacing.loadNanos() && now < deadlineNanos) {
          pause();
          burstStart = now = System.nanoTime();
        }
        for (SelectionKey key : selector.selectedKeys()) {
          Lane lane = (Lane) key.attachment();
          Step step = lane.step(key, now < deadlineNanos);
          if (step == Step.ANSWERED || step == Step.ANSWERED_AND_DONE) {
            answered++;
          }
          if (step == Step.FAILED) {
            lost++;
          }
          if (step == Step.FAILED || step == Step.ANSWERED_AND_DONE) {
            lane.close();
            open--;
          }
        }
        selector.selectedKeys().clear();
        if (now - sweptAt < SWEEP_NANOS) {
          continue;
        }
        sweptAt = now;
        for (Lane lane : lanes) {
          if (lane.channel.isOpen() && now - lane.sentAt > requestTimeoutNanos) {
            lane.close();
            open--;
            lost++;
          }
        }
      }
      for (Lane lane : lanes) {
        reset += lane.resets;
      }
    }
    return new Result(answered, lost, reset);
  }

  private void pause() throws InterruptedIOException {
    try {
      Thread.sleep(pacing.pauseMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted in a pause");
    }
  }

  private enum Step { WAITING, ANSWERED, ANSWERED_AND_DONE, FAILED }

  /** One connection: the request being written, then the response being read. */
  private final class Lane {
    private final ByteBuffer in = ByteBuffer.allocate(MAX_RESPONSE_BYTES);
    private SocketChannel channel;
    private ByteBuffer out;
    private long next;
    private long sentAt;
    private int answeredHere;
    private int opened;
    private int resets;

    Lane(int first) {
      this.next = first;
    }

    void connect(Selector selector) throws IOException {
      opened++;
      channel = SocketChannel.open();
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      channel.connect(address);
      channel.register(selector, SelectionKey.OP_CONNECT, this);
      sentAt = System.nanoTime();
      answeredHere = 0;
    }

    Step step(SelectionKey key, boolean sendMore) {
      try {
        if (key.isConnectable()) {
          return channel.finishConnect() ? send(key) : Step.WAITING;
        }
        if (key.isWritable()) {
          return write(key);
        }
        if (key.isReadable()) {
          return read(key, sendMore);
        }
        return Step.WAITING;
      } catch (IOException | RuntimeException failed) {
        return Step.FAILED;
      }
    }

    private Step send(SelectionKey key) throws IOException {
      out = ByteBuffer.wrap(requests.get((int) (next++ % requests.size())));
      sentAt = System.nanoTime();
      return write(key);
    }

    private Step write(SelectionKey key) throws IOException {
      channel.write(out);
      key.interestOps(out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
      return Step.WAITING;
    }

    private Step read(SelectionKey key, boolean sendMore) throws IOException {
      if (channel.read(in) < 0) {
        return Step.FAILED;
      }
      int length = responseLength(in.array(), in.position());
      if (length == 0) {
        return in.hasRemaining() ? Step.WAITING : Step.FAILED;
      }
      if (length < 0 || in.position() != length || !answered(in.array())) {
        return Step.FAILED; // not an answer we sent for, or more than one: never guess at framing
      }
      in.clear();
      if (!sendMore) {
        return Step.ANSWERED_AND_DONE;
      }
      if (++answeredHere == REQUESTS_PER_CONNECTION) {
        if (opened % RESET_EVERY == 0) {
          resetWithARequestInFlight(key);
        } else {
          close();
        }
        connect(key.selector());
      } else {
        send(key);
      }
      return Step.ANSWERED;
    }

    /** Sends one more request and resets the connection at once (RST, not FIN): the answer goes nowhere. */
    private void resetWithARequestInFlight(SelectionKey key) throws IOException {
      send(key);
      channel.setOption(StandardSocketOptions.SO_LINGER, 0);
      close();
      resets++;
    }

    void close() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing a loopback socket the warm-up is done with
      }
    }
  }

  /**
   * The length of the response at the start of {@code bytes}, headers and body: 0 while its headers are not all
   * there or its body is short, -1 if it has no Content-Length (the server always sends one). Reads bytes, builds
   * no string: this runs on the server's core while the server warms up.
   */
  static int responseLength(byte[] bytes, int available) {
    int headerEnd = indexOf(bytes, 0, available, HEADER_END, false);
    if (headerEnd < 0) {
      return 0;
    }
    int at = indexOf(bytes, 0, headerEnd, CONTENT_LENGTH, true);
    if (at < 0) {
      return -1;
    }
    int digit = at + CONTENT_LENGTH.length;
    while (digit < headerEnd && bytes[digit] == ' ') {
      digit++;
    }
    int bodyLength = 0;
    int start = digit;
    for (; digit < headerEnd && bytes[digit] >= '0' && bytes[digit] <= '9' && digit - start < 9; digit++) {
      bodyLength = bodyLength * 10 + bytes[digit] - '0';
    }
    if (digit == start) {
      return -1;
    }
    int total = headerEnd + HEADER_END.length + bodyLength;
    return available >= total ? total : 0;
  }

  /** Whether the status line says the server answered: 2xx, or 4xx for a request it refuses by design. */
  static boolean answered(byte[] response) {
    return response.length > STATUS_LINE_START.length
        && indexOf(response, 0, STATUS_LINE_START.length, STATUS_LINE_START, false) == 0
        && (response[STATUS_LINE_START.length] == '2' || response[STATUS_LINE_START.length] == '4');
  }

  /** Where {@code pattern} (lower case when {@code ignoreCase}) starts in {@code bytes[from, to)}, or -1. */
  private static int indexOf(byte[] bytes, int from, int to, byte[] pattern, boolean ignoreCase) {
    outer:
    for (int i = from; i + pattern.length <= to; i++) {
      for (int j = 0; j < pattern.length; j++) {
        byte b = bytes[i + j];
        if (ignoreCase && b >= 'A' && b <= 'Z') {
          b += 'a' - 'A';
        }
        if (b != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
