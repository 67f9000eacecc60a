package io.tokenserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
  /**
   * Answers after which a connection is closed and opened anew: clients come and go, so accepting a connection
   * (the pipeline, the connection guard) must be as warm as serving a request on it.
   */
  static final int REQUESTS_PER_CONNECTION = 32;

  private final InetSocketAddress address;
  private final List<byte[]> requests;
  private final long requestTimeoutNanos;

  /** @param requests whole HTTP/1.1 requests, sent in turn by every connection */
  LoopbackLoad(InetSocketAddress address, List<byte[]> requests, long requestTimeoutNanos) {
    this.address = address;
    this.requests = List.copyOf(requests);
    this.requestTimeoutNanos = requestTimeoutNanos;
  }

  /** What a run did: answers (2xx or 4xx), and connections that ended early (5xx, timed out, closed). */
  record Result(long answered, int connectionsLost) {
  }

  /**
   * Sends on {@code connections} connections until {@code deadlineNanos} ({@link System#nanoTime()}), then waits
   * for the answers in flight (each bounded by the request timeout) and closes every connection. A connection that
   * gets a 5xx, a malformed answer, none in time, or an error stops there: a warm-up never retries.
   */
  Result run(int connections, long deadlineNanos) throws IOException {
    long answered = 0;
    int lost = 0;
    try (Selector selector = Selector.open()) {
      List<Lane> lanes = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        Lane lane = new Lane(i);
        lanes.add(lane);
        lane.connect(selector);
      }
      int open = connections;
      while (open > 0) {
        selector.select(100);
        long now = System.nanoTime();
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
        for (Lane lane : lanes) {
          if (lane.channel.isOpen() && now - lane.sentAt > requestTimeoutNanos) {
            lane.close();
            open--;
            lost++;
          }
        }
      }
    }
    return new Result(answered, lost);
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

    Lane(int first) {
      this.next = first;
    }

    void connect(Selector selector) throws IOException {
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
        close();
        connect(key.selector());
      } else {
        send(key);
      }
      return Step.ANSWERED;
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
   * there or its body is short, -1 if it has no Content-Length (the server always sends one).
   */
  static int responseLength(byte[] bytes, int available) {
    int headerEnd = indexOf(bytes, available, HEADER_END);
    if (headerEnd < 0) {
      return 0;
    }
    String headers = new String(bytes, 0, headerEnd, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    int at = headers.indexOf("\r\ncontent-length:");
    if (at < 0) {
      return -1;
    }
    int end = headers.indexOf('\r', at + 2);
    int bodyLength = Integer.parseInt(headers.substring(at + 17, end < 0 ? headers.length() : end).trim());
    int total = headerEnd + HEADER_END.length + bodyLength;
    return available >= total ? total : 0;
  }

  /** Whether the status line says the server answered: 2xx, or 4xx for a request it refuses by design. */
  static boolean answered(byte[] response) {
    return response.length > 9 && (response[9] == '2' || response[9] == '4')
        && new String(response, 0, 9, StandardCharsets.ISO_8859_1).equals("HTTP/1.1 ");
  }

  private static int indexOf(byte[] bytes, int available, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= available; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (bytes[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
