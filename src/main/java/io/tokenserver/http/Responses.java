package io.tokenserver.http;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Response writing shared by every handler: headers built once, JSON bodies only. */
public final class Responses {

  static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  public static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("Retry-After");
  public static final CharSequence ONE_SECOND = HttpHeaders.createOptimized("1");

  /** Tokens must never be cached by a browser or a proxy. */
  static final MultiMap NO_CACHE = HttpHeaders.headers()
      .add(HttpHeaders.createOptimized("Cache-Control"), HttpHeaders.createOptimized("private, no-cache, no-store, must-revalidate"))
      .add(HttpHeaders.createOptimized("Expires"), HttpHeaders.createOptimized("-1"))
      .add(HttpHeaders.createOptimized("Pragma"), HttpHeaders.createOptimized("no-cache"));

  private Responses() {
  }

  static void json(HttpServerResponse response, int status, Buffer body) {
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body);
  }

  public static void error(HttpServerResponse response, int status, String message) {
    json(response, status, new JsonObject().put("error", message).toBuffer());
  }

  /** {@code {"<name>":"<token>"}}: tokens are base64 after "007", so nothing needs escaping. */
  static Buffer tokenBody(String name, String token) {
    return Buffer.buffer(name.length() + token.length() + 8)
        .appendString("{\"").appendString(name).appendString("\":\"").appendString(token).appendString("\"}");
  }

  /** {@code {"<name1>":"<token1>","<name2>":"<token2>"}}. */
  static Buffer tokenBody(String name1, String token1, String name2, String token2) {
    return Buffer.buffer(name1.length() + token1.length() + name2.length() + token2.length() + 16)
        .appendString("{\"").appendString(name1).appendString("\":\"").appendString(token1)
        .appendString("\",\"").appendString(name2).appendString("\":\"").appendString(token2).appendString("\"}");
  }
}
