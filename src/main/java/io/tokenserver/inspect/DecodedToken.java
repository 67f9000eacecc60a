package io.tokenserver.inspect;

import java.util.List;

/**
 * A decoded token before it is checked. {@code signedContent} is what the signature covers besides the
 * certificate: for 007 everything after the signature, for 006 the packed message (the app id, channel and uid
 * are signed too). {@code unknownServiceType} is the first service type that could not be decoded, with
 * {@code undecodedServices} services (it included) left unread.
 */
record DecodedToken(String version, String appId, Long issuedAt, long expiresAt, Long lifetime, long salt,
    List<InspectedService> services, Integer unknownServiceType, int undecodedServices, Long channelCrc32,
    Long userCrc32, byte[] signature, byte[] signedContent) {

  boolean is006() {
    return "006".equals(version);
  }
}
