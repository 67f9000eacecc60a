package io.tokenserver.http;

import io.tokenserver.metrics.MetricsSetup;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.LoggerFormat;
import io.vertx.ext.web.handler.LoggerHandler;

/**
 * {@code ACCESS_LOG=true}: one line per request, {@code client - METHOD /path status bytes - N ms}. Nothing the
 * client sends is written verbatim: the method is a known one or {@code OTHER}, the query string (which may
 * carry a key) is left out, and the path is cut to {@link #MAX_PATH} characters with anything but printable
 * ASCII replaced.
 */
final class AccessLog {

  static final int MAX_PATH = 200;

  private AccessLog() {
  }

  static LoggerHandler handler() {
    return LoggerHandler.create(LoggerFormat.CUSTOM).customFormatter(AccessLog::format);
  }

  static String format(RoutingContext ctx, long millis) {
    HttpServerRequest request = ctx.request();
    String client = request.remoteAddress() == null ? "-" : request.remoteAddress().hostAddress();
    return client + " - " + MetricsSetup.method(request.method().name()) + " " + path(request.path()) + " "
        + request.response().getStatusCode() + " " + request.response().bytesWritten() + " - " + millis + " ms";
  }

  /** The path, bounded and printable: never the query, never a control character. */
  static String path(String path) {
    if (path == null) {
      return "-";
    }
    int length = Math.min(path.length(), MAX_PATH);
    StringBuilder text = new StringBuilder(length + 3);
    for (int i = 0; i < length; i++) {
      char c = path.charAt(i);
      text.append(c > 0x20 && c < 0x7f ? c : '?');
    }
    return path.length() > MAX_PATH ? text.append("...").toString() : text.toString();
  }
}
