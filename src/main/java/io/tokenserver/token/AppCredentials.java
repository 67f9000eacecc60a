package io.tokenserver.token;

/** The Agora project's app id and app certificate, both 32 hex characters. */
public record AppCredentials(String appId, String appCertificate) {

  /**
   * The one format check for an app id or certificate: the Agora library silently returns an empty token
   * for anything else.
   */
  public static boolean isHex32(String value) {
    if (value == null || value.length() != 32) {
      return false;
    }
    for (int i = 0; i < 32; i++) {
      char c = value.charAt(i);
      // ASCII only: Character.digit also takes fullwidth and other Unicode digits.
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "AppCredentials[appId=" + appId + ", appCertificate=<redacted>]";
  }
}
