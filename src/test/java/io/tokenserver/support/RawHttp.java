package io.tokenserver.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what a well-behaved client cannot send: malformed request lines,
 * smuggling headers, slow bodies. Reads responses framed by Content-Length, chunked, or connection close.
 */
public final class RawHttp implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private boolean closed;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    this.out = socket.getOutputStream();
  }

  public static RawHttp connect(int port, int readTimeoutMillis) throws IOException {
    return connectFrom(null, port, readTimeoutMillis);
  }

  /** Connects from the local address {@code from} (such as 127.0.0.2, another loopback address), or any. */
  public static RawHttp connectFrom(String from, int port, int readTimeoutMillis) throws IOException {
    Socket socket = new Socket();
    if (from != null) {
      socket.bind(new InetSocketAddress(from, 0));
    }
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(readTimeoutMillis);
    return new RawHttp(socket);
  }

  public RawHttp send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public RawHttp send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /**
   * The next final response (interim 1xx responses such as 100 Continue are skipped), or null when the server
   * closed the connection before sending a byte of one.
   */
  public Response read() throws IOException {
    Response response = readOne();
    while (response != null && response.status() / 100 == 1 && response.status() != 101) {
      response = readOne();
    }
    return response;
  }

  private Response readOne() throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      return null;
    }
    if (!statusLine.startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP response: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    Map<String, List<String>> headers = new LinkedHashMap<>();
    String header;
    while ((header = line()) != null && !header.isEmpty()) {
      int colon = header.indexOf(':');
      headers.computeIfAbsent(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(header.substring(colon + 1).trim());
    }
    if (header == null) {
      throw new IOException("connection closed inside the response headers");
    }
    Response head = new Response(status, headers, new byte[0]);
    byte[] body;
    if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
      body = chunked();
    } else if (head.header("content-length") != null) {
      body = in.readNBytes(Integer.parseInt(head.header("content-length")));
    } else if (status == 204 || status == 304 || status / 100 == 1) {
      body = new byte[0];
    } else {
      body = in.readAllBytes();
    }
    return new Response(status, headers, body);
  }

  /** True when the server has closed the connection (reads end of stream within the timeout). */
  public boolean closedByServer() {
    try {
      return in.read() < 0;
    } catch (IOException e) {
      return e.getMessage() != null && e.getMessage().contains("reset");
    }
  }

  /** Like {@link #closedByServer()}, waiting at most {@code millis}; false when the connection is still open. */
  public boolean closedByServerWithin(int millis) {
    try {
      int before = socket.getSoTimeout();
      socket.setSoTimeout(millis);
      try {
        if (in.read() < 0) {
          closed = true;
        }
      } finally {
        socket.setSoTimeout(before);
      }
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      closed = true;
    }
    return closed;
  }

  /** Writes, ignoring a connection the server has already closed. */
  public void sendQuietly(String text) {
    try {
      send(text);
    } catch (IOException e) {
      closed = true;
    }
  }

  public boolean isClosed() {
    return closed;
  }

  private byte[] chunked() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = line();
      int length = Integer.parseInt(size.split(";")[0].trim(), 16);
      if (length == 0) {
        while (!line().isEmpty()) {
          // trailers
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(length));
      line();
    }
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
      }
      line.append((char) c);
    }
    return line.length() == 0 ? null : line.toString();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /** A response with lower-cased header names. */
  public record Response(int status, Map<String, List<String>> headers, byte[] body) {

    public String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null ? null : values.get(0);
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }
}
