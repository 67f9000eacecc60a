package io.tokenserver.connection;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;

/**
 * Requests the HTTP decoder could not parse: a JSON error like every other (Vert.x's default answers with
 * an empty body), then the connection is closed since the decoder cannot resynchronise.
 */
public final class InvalidRequests {

  private InvalidRequests() {
  }

  /** Answers {@code request}, which failed to decode, and closes its connection through {@code guard}. */
  public static void handle(ConnectionGuard guard, HttpServerRequest request, int maxHeaderSize,
      int maxInitialLineLength) {
    Throwable cause = request.decoderResult().cause();
    int status = 400;
    String message = "malformed HTTP request";
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      message = "request line is longer than " + maxInitialLineLength + " bytes";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      message = "request headers are larger than " + maxHeaderSize + " bytes";
    } else if (cause != null && StrictRequestDecoder.MESSAGE.equals(cause.getMessage())) {
      message = "Content-Length together with Transfer-Encoding is not allowed";
    } else if (cause != null && (StrictRequestDecoder.UNSUPPORTED_VERSION.equals(cause.getMessage())
        || StrictRequestDecoder.UNSUPPORTED_TRANSFER_ENCODING.equals(cause.getMessage()))) {
      message = cause.getMessage();
    }
    guard.refuseAndClose(request, status, message);
  }
}
