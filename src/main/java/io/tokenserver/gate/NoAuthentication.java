package io.tokenserver.gate;

import io.tokenserver.auth.Caller;
import io.tokenserver.net.TrustedProxies;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;

/** {@code AUTH_MODE=none}: every caller is anonymous, told apart by its client address only for the rate limit. */
final class NoAuthentication implements AuthenticationHandler {

  private final boolean chatAppTokens;
  /** Null when there is no rate limit: then one caller stands for every request, with no per-request work. */
  private final TrustedProxies proxies;
  private final Caller anyone;

  NoAuthentication(boolean chatAppTokens, TrustedProxies proxies) {
    this.chatAppTokens = chatAppTokens;
    this.proxies = proxies;
    this.anyone = Caller.anonymous("any", chatAppTokens);
  }

  @Override
  public void handle(RoutingContext ctx) {
    Caller caller = proxies == null ? anyone : Caller.anonymous(proxies.clientKey(ctx.request()), chatAppTokens);
    ctx.put(Caller.CONTEXT_KEY, caller).next();
  }
}
