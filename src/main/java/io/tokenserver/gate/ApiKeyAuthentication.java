package io.tokenserver.gate;

import io.tokenserver.auth.ApiKeys;
import io.tokenserver.auth.Caller;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;

/** {@code AUTH_MODE=api-key}: the caller holds one of the keys in force, sent as {@code X-API-Key} or Bearer. */
final class ApiKeyAuthentication implements AuthenticationHandler {

  private static final CharSequence X_API_KEY = HttpHeaders.createOptimized("X-API-Key");

  private final ApiKeys.InForce keys;
  private final Unauthorized unauthorized;

  ApiKeyAuthentication(ApiKeys.InForce keys, Unauthorized unauthorized) {
    this.keys = keys;
    this.unauthorized = unauthorized;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String key = presentedKey(ctx.request());
    Caller caller = keys.get().caller(key);
    if (caller != null) {
      ctx.put(Caller.CONTEXT_KEY, caller).next();
    } else if (key == null) {
      unauthorized.refuse(ctx, "missing credentials: send Authorization: Bearer <key> or X-API-Key", false);
    } else {
      unauthorized.refuse(ctx, "invalid API key", true);
    }
  }

  private static String presentedKey(HttpServerRequest request) {
    String key = request.getHeader(X_API_KEY);
    return key != null ? key.trim() : Unauthorized.bearer(request.getHeader(HttpHeaders.AUTHORIZATION));
  }
}
