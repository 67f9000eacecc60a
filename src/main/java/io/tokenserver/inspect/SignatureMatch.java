package io.tokenserver.inspect;

import java.util.Locale;

/** Which certificate the token's signature matches. */
public enum SignatureMatch {
  /** The certificate in force. */
  CURRENT,
  /** The certificate in force before the last rotation. */
  PREVIOUS,
  /** Neither. */
  NONE,
  /** Not checked: the token is malformed, or a 006 token's channel or uid is unknown. */
  UNCHECKED;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
