package io.tokenserver.inspect;

import io.tokenserver.token.AppCredentials;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Decodes a {@code 006} or {@code 007} Agora token, checks its signature against this server's certificates and
 * names what would make a join with it fail. Thread-safe and cheap to build: make one per request with the
 * credentials in force at that moment.
 *
 * <p>Any string is a valid input: a token that cannot be decoded gives an {@link Inspection} with a
 * {@link FindingCode#MALFORMED} finding, never an exception. Certificates never appear in a result.
 */
public final class TokenInspector {

  /** Longer inputs are reported malformed without being decoded. */
  public static final int MAX_TOKEN_CHARS = TokenDecoder.MAX_TOKEN_CHARS;
  /** What callers should use for {@code expiringWithinSeconds} when the user gives none. */
  public static final int DEFAULT_EXPIRING_WITHIN_SECONDS = 300;

  private final AppCredentials current;
  private final String previousCertificate;
  private final Clock clock;

  /** With the credentials in force, no previous certificate, and the system clock. */
  public TokenInspector(AppCredentials current) {
    this(current, null, Clock.systemUTC());
  }

  /**
   * @param current the app id and certificate in force
   * @param previousCertificate the certificate in force before the last rotation (same app id), or null
   * @param clock what "now" is for expiry
   * @throws IllegalArgumentException when a credential is not 32 hex characters (the value is never shown)
   */
  public TokenInspector(AppCredentials current, String previousCertificate, Clock clock) {
    if (current == null || !AppCredentials.isHex32(current.appId())
        || !AppCredentials.isHex32(current.appCertificate())) {
      throw new IllegalArgumentException("the app id and app certificate must be 32 hex characters");
    }
    if (previousCertificate != null && !AppCredentials.isHex32(previousCertificate)) {
      throw new IllegalArgumentException("the previous app certificate must be 32 hex characters");
    }
    this.current = current;
    this.previousCertificate = previousCertificate;
    this.clock = clock;
  }

  /** {@link #inspect(String, int, String, String)} without the channel and user the client joins with. */
  public Inspection inspect(String token, int expiringWithinSeconds) {
    return inspect(token, expiringWithinSeconds, null, null);
  }

  /**
   * @param token any text; a malformed token is a result, not an exception
   * @param expiringWithinSeconds report {@code expiring_soon} when the token or a privilege expires within this
   *     many seconds; 0 for never
   * @param channel the channel the client joins, or null: compared with the token's, and needed (with
   *     {@code user}) to check a 006 token's signature
   * @param user the uid (decimal) or user account the client joins with, or the RTM or Chat user id for a token
   *     without RTC; or null
   * @throws IllegalArgumentException when {@code expiringWithinSeconds} is negative
   */
  public Inspection inspect(String token, int expiringWithinSeconds, String channel, String user) {
    if (expiringWithinSeconds < 0) {
      throw new IllegalArgumentException("expiringWithinSeconds must not be negative");
    }
    long now = clock.instant().getEpochSecond();
    DecodedToken decoded;
    try {
      decoded = TokenDecoder.decode(token, now);
    } catch (MalformedTokenException e) {
      return Inspection.malformed(TokenDecoder.claimedVersion(token), e.getMessage(), now);
    }
    List<InspectedService> services = decoded.services();
    SignatureMatch signedWith;
    if (decoded.is006()) {
      Identity006 identity = Identity006.resolve(decoded, channel, user);
      services = identity.services();
      signedWith = identity.signedChannel() == null || identity.signedUser() == null
          ? SignatureMatch.UNCHECKED
          : match(certificate -> Signatures.matches006(certificate, decoded, identity.signedChannel(),
              identity.signedUser()));
    } else {
      signedWith = match(certificate -> Signatures.matches007(certificate, decoded));
    }

    List<Finding> findings = new ArrayList<>();
    JoinChecks checks = new JoinChecks(findings);
    checks.project(current.appId(), decoded, signedWith, previousCertificate != null);
    checks.expiry(decoded, services, now, expiringWithinSeconds);
    checks.identity(services, channel, user);
    checks.unknownService(decoded);
    findings.sort(Comparator.comparing(Finding::severity)); // errors first; stable, so in the order found
    return new Inspection(decoded.version(), decoded.appId(), decoded.issuedAt(), decoded.expiresAt(),
        decoded.expiresAt() - now, decoded.lifetime(), decoded.salt(), signedWith, decoded.channelCrc32(),
        decoded.userCrc32(), services, findings, now);
  }

  private SignatureMatch match(Predicate<String> signedWith) {
    if (signedWith.test(current.appCertificate())) {
      return SignatureMatch.CURRENT;
    }
    if (previousCertificate != null && signedWith.test(previousCertificate)) {
      return SignatureMatch.PREVIOUS;
    }
    return SignatureMatch.NONE;
  }
}
