package io.tokenserver.token;

import io.agora.chat.ChatTokenBuilder2;
import io.agora.media.RtcTokenBuilder2;
import io.agora.rtm.RtmTokenBuilder2;

import java.util.function.Supplier;

/**
 * Mints tokens with the official {@code io.agora} builders. Token expiry and every privilege's expiry are
 * the requested number of seconds after issue.
 */
public final class AgoraTokenMinter implements TokenMinter {

  private final Supplier<AppCredentials> credentials;
  private final RtcTokenBuilder2 rtcBuilder = new RtcTokenBuilder2();
  private final RtmTokenBuilder2 rtmBuilder = new RtmTokenBuilder2();
  private final ChatTokenBuilder2 chatBuilder = new ChatTokenBuilder2();

  /** {@code credentials} is read once per token, so a rotated certificate takes effect at once. */
  public AgoraTokenMinter(Supplier<AppCredentials> credentials) {
    this.credentials = credentials;
  }

  @Override
  public String rtc(RtcTokenRequest request) {
    AppCredentials app = credentials.get();
    RtcTokenBuilder2.Role role = request.role() == RtcRole.PUBLISHER
        ? RtcTokenBuilder2.Role.ROLE_PUBLISHER
        : RtcTokenBuilder2.Role.ROLE_SUBSCRIBER;
    int expiry = request.expirySeconds();
    return nonEmpty(rtcBuilder.buildTokenWithUserAccount(app.appId(), app.appCertificate(), request.channel(),
        request.user().tokenValue(), role, expiry, expiry));
  }

  @Override
  public String rtm(RtmTokenRequest request) {
    AppCredentials app = credentials.get();
    return nonEmpty(rtmBuilder.buildToken(app.appId(), app.appCertificate(), request.userId(), request.expirySeconds()));
  }

  @Override
  public String chat(ChatTokenRequest request) {
    AppCredentials app = credentials.get();
    return nonEmpty(request.isAppToken()
        ? chatBuilder.buildAppToken(app.appId(), app.appCertificate(), request.expirySeconds())
        : chatBuilder.buildUserToken(app.appId(), app.appCertificate(), request.userId(), request.expirySeconds()));
  }

  /** The builders answer "" instead of failing; an empty token must never reach a client. */
  private static String nonEmpty(String token) {
    if (token == null || token.isEmpty()) {
      throw new IllegalStateException("the Agora builder returned no token");
    }
    return token;
  }
}
