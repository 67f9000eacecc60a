package io.tokenserver.deploy;

import com.sun.net.httpserver.HttpServer;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A small closed-loop HTTP/1.1 load on loopback that counts answers per 1 s window: a few keep-alive
 * connections, one request in flight on each. Plain sockets, so the client itself costs little and warms fast.
 */
final class LoopbackLoad {

  private static final int CONNECTIONS = 8;

  private LoopbackLoad() {
  }

  /** Runs the client against a local stub first, so that its own JIT warm-up is not counted against a server. */
  static void warmUpClient() throws Exception {
    HttpServer stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    stub.createContext("/", exchange -> {
      byte[] body = "{\"rtcToken\":\"007\"}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    stub.setExecutor(Executors.newFixedThreadPool(2));
    stub.start();
    try {
      requestsPerSecond(stub.getAddress().getPort(), "/warm-up", 2);
    } finally {
      stub.stop(0);
      ((ExecutorService) stub.getExecutor()).shutdownNow();
    }
  }

  /** Answers with status 200 in each 1 s window from now, for {@code seconds} windows. */
  static long[] requestsPerSecond(int port, String path, int seconds) throws InterruptedException {
    AtomicLongArray counts = new AtomicLongArray(seconds);
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < CONNECTIONS; c++) {
      clients.add(new Thread(() -> {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
          socket.setTcpNoDelay(true);
          OutputStream out = socket.getOutputStream();
          InputStream in = new BufferedInputStream(socket.getInputStream());
          while (System.nanoTime() < end) {
            out.write(request);
            out.flush();
            boolean ok = readResponse(in);
            long now = System.nanoTime();
            if (ok && now < end) {
              counts.incrementAndGet((int) TimeUnit.NANOSECONDS.toSeconds(now - start));
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }));
    }
    clients.forEach(Thread::start);
    for (Thread client : clients) {
      client.join();
    }
    long[] result = new long[seconds];
    for (int i = 0; i < seconds; i++) {
      result[i] = counts.get(i);
    }
    return result;
  }

  /** Reads one response with a Content-Length body; true for status 200. */
  private static boolean readResponse(InputStream in) throws IOException {
    String status = line(in);
    int length = 0;
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Integer.parseInt(header.substring(15).strip());
      }
    }
    if (in.readNBytes(length).length != length) {
      throw new EOFException("connection closed in a body");
    }
    return status.startsWith("HTTP/1.1 200 ");
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("connection closed");
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }
}
