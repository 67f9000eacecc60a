package io.tokenserver.token;

import java.util.List;

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

  @Override
  public String kind() {
    return "chat";
  }

  @Override
  public List<Grant> grants() {
    return List.of(isAppToken() ? new Grant.ChatApp() : new Grant.User("chat", userId));
  }

  @Override
  public ChatTokenRequest withExpiry(int seconds) {
    return new ChatTokenRequest(userId, seconds);
  }

  @Override
  public String mintWith(TokenMinter minter) {
    return minter.chat(this);
  }
}
