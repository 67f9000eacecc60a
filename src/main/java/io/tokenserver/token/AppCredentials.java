package io.tokenserver.token;

/** The Agora project's app id and app certificate, both 32 hex characters. */
public record AppCredentials(String appId, String appCertificate) {

  @Override
  public String toString() {
    return "AppCredentials[appId=" + appId + ", appCertificate=<redacted>]";
  }
}
