package io.tokenserver.connection;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.http.HttpConnection;

import java.util.List;

/**
 * Vert.x's request decoder, except that a request with both {@code Content-Length} and
 * {@code Transfer-Encoding: chunked} fails to decode (and so gets 400 and a closed connection) instead of
 * having its Content-Length silently dropped: two framings in one request is how requests are smuggled
 * past a proxy that reads the other one (RFC 9112 §6.3).
 *
 * <p>Vert.x offers no option for this, so the decoder is swapped in the connection's Netty pipeline; this
 * relies on Vert.x internals ({@link ConnectionBase}, the "httpDecoder" handler), and a test fails if an
 * upgrade changes them. It also refuses a {@code Transfer-Encoding} other than exactly {@code chunked}, and
 * answers requests of an unknown HTTP version with a JSON 400 instead of Vert.x's empty 501.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

  static final String MESSAGE = "Content-Length together with Transfer-Encoding";
  static final String UNSUPPORTED_VERSION = "HTTP version must be HTTP/1.0 or HTTP/1.1";
  static final String UNSUPPORTED_TRANSFER_ENCODING = "Transfer-Encoding must be exactly chunked";
  private static final String DECODER = "httpDecoder";

  private StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  /**
   * Puts the strict decoder in place on a new HTTP/1.x connection, before it has decoded anything; false
   * when the connection is not built the way this relies on (the guard is then missing).
   */
  static boolean install(HttpConnection connection, HttpServerOptions options) {
    if (connection instanceof ConnectionBase base
        && base.channel().pipeline().get(DECODER) instanceof VertxHttpRequestDecoder) {
      base.channel().pipeline().replace(DECODER, DECODER, new StrictRequestDecoder(options));
      return true;
    }
    return false;
  }

  /**
   * HTTP/1.x with a minor version above 1 is served as HTTP/1.1 (RFC 9112 §2.3); any other version is a
   * malformed request (Vert.x would answer 501 with no body and drop the connection).
   */
  @Override
  protected HttpMessage createMessage(String[] initialLine) {
    String version = initialLine[2];
    if (!"HTTP/1.1".equals(version) && !"HTTP/1.0".equals(version)) {
      if (version.length() >= 8 && version.startsWith("HTTP/1.") && version.substring(7).chars().allMatch(Character::isDigit)) {
        initialLine[2] = "HTTP/1.1";
      } else {
        throw new IllegalArgumentException(UNSUPPORTED_VERSION);
      }
    }
    return super.createMessage(initialLine);
  }

  /**
   * Called once the headers are read, before the body's framing is chosen: here a {@code Transfer-Encoding}
   * other than one exactly {@code chunked} fails the request. Netty would read {@code gzip} as "no body" and
   * the body as the next request, and {@code gzip, chunked} as plain chunked (RFC 9112 §6.1: a coding this
   * server does not implement is answered with an error and the connection closed).
   */
  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage message) {
    List<String> codings = message.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!codings.isEmpty() && (codings.size() > 1 || !"chunked".equalsIgnoreCase(codings.get(0).trim()))) {
      throw new IllegalArgumentException(UNSUPPORTED_TRANSFER_ENCODING);
    }
    return super.isContentAlwaysEmpty(message);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    throw new IllegalArgumentException(MESSAGE);
  }
}
