package io.tokenserver.http;

import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.http.HttpConnection;

/**
 * Vert.x's request decoder, except that a request with both {@code Content-Length} and
 * {@code Transfer-Encoding: chunked} fails to decode (and so gets 400 and a closed connection) instead of
 * having its Content-Length silently dropped: two framings in one request is how requests are smuggled
 * past a proxy that reads the other one (RFC 9112 §6.3).
 *
 * <p>Vert.x offers no option for this, so the decoder is swapped in the connection's Netty pipeline; this
 * relies on Vert.x internals ({@link ConnectionBase}, the "httpDecoder" handler), and a test fails if an
 * upgrade changes them.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

  static final String MESSAGE = "Content-Length together with Transfer-Encoding";
  private static final String DECODER = "httpDecoder";

  private StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  /** Puts the strict decoder in place on a new HTTP/1.x connection, before it has decoded anything. */
  static void install(HttpConnection connection, HttpServerOptions options) {
    if (connection instanceof ConnectionBase base
        && base.channel().pipeline().get(DECODER) instanceof VertxHttpRequestDecoder) {
      base.channel().pipeline().replace(DECODER, DECODER, new StrictRequestDecoder(options));
    }
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    throw new IllegalArgumentException(MESSAGE);
  }
}
