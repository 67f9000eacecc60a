package io.tokenserver.token;

/** A validated request for an Agora Chat token: a user token, or the app token when {@code userId} is null. */
public record ChatTokenRequest(String userId, int expirySeconds) implements TokenRequest {

  public static ChatTokenRequest app(int expirySeconds) {
    return new ChatTokenRequest(null, expirySeconds);
  }

  public static ChatTokenRequest user(String userId, int expirySeconds) {
    return new ChatTokenRequest(userId, expirySeconds);
  }

  public boolean isAppToken() {
    return userId == null;
  }
}
