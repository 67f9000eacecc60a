package io.tokenserver.support;

import io.tokenserver.token.AppCredentials;

/** Fixed fake credentials: well-formed 32-hex values that Agora has never issued. */
public final class FakeCredentials {

  public static final String APP_ID = "970ca35de60c44645bbae8a215061b33";
  public static final String APP_CERTIFICATE = "5cfd2fd1755d40ecb72977518be15d3b";
  public static final AppCredentials CREDENTIALS = new AppCredentials(APP_ID, APP_CERTIFICATE);

  private FakeCredentials() {
  }
}
