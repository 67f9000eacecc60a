package io.tokenserver.inspect;

import java.util.List;

import static io.tokenserver.inspect.Inspection.iso;

/** Turns a decoded token into the findings that explain why Agora would refuse it, or might. */
final class JoinChecks {

  /** Unix time of 2001-09-09: a stored expiry beyond it is a timestamp, one below it a duration. */
  private static final long TIMESTAMP_FLOOR = 1_000_000_000L;
  private static final int QUOTE_CHARS = 64;

  private final List<Finding> findings;

  JoinChecks(List<Finding> findings) {
    this.findings = findings;
  }

  void project(String serverAppId, DecodedToken token, SignatureMatch signedWith, boolean hasPrevious) {
    if (!serverAppId.equals(token.appId())) {
      add(FindingCode.OTHER_APP_ID, Finding.Severity.ERROR, "The token is for app id " + quote(token.appId())
          + ", not this server's " + serverAppId + ": it was minted for another Agora project, and Agora refuses "
          + "it for this one.", null, null);
      return;
    }
    switch (signedWith) {
      case NONE -> add(FindingCode.INVALID_SIGNATURE, Finding.Severity.ERROR, "The signature matches neither the "
          + "current certificate" + (hasPrevious ? " nor the previous one" : "") + ": the token was altered, or "
          + "signed with a certificate this server does not have. Agora refuses it (error 110, invalid token).",
          null, null);
      case PREVIOUS -> add(FindingCode.PREVIOUS_CERTIFICATE, Finding.Severity.WARNING, "The token was signed "
          + "with the previous certificate: Agora accepts it only while that certificate is still enabled for the "
          + "project.", null, null);
      case UNCHECKED -> add(FindingCode.SIGNATURE_UNCHECKED, Finding.Severity.WARNING, "A 006 token signs its "
          + "channel and uid but stores only their checksums: give the channel and the uid (or RTM user id) the "
          + "client uses to check its signature.", null, null);
      case CURRENT -> {
      }
    }
  }

  void expiry(DecodedToken token, List<InspectedService> services, long now, int expiringWithinSeconds) {
    long tokenExpiry = token.expiresAt();
    boolean tokenExpired = now >= tokenExpiry;
    if (tokenExpired) {
      add(FindingCode.EXPIRED, Finding.Severity.ERROR, "The token expired at " + iso(tokenExpiry) + ", "
          + (now - tokenExpiry) + " seconds ago: Agora refuses it (error 109, token expired). Mint a new one.",
          null, null);
    } else if (tokenExpiry - now <= expiringWithinSeconds) {
      add(FindingCode.EXPIRING_SOON, Finding.Severity.WARNING, "The token expires at " + iso(tokenExpiry)
          + ", in " + (tokenExpiry - now) + " seconds.", null, null);
    }
    if (token.lifetime() != null && token.lifetime() >= TIMESTAMP_FLOOR) {
      add(FindingCode.EXPIRY_UNIT_MIXUP, Finding.Severity.WARNING, "The token is valid for " + token.lifetime()
          + " seconds after its issue time: a Unix timestamp was given where seconds from now are expected. "
          + "Agora tokens are valid for at most 24 hours.", null, null);
    }
    for (InspectedService service : services) {
      for (InspectedPrivilege privilege : service.privileges()) {
        unitMixup(token, service, privilege);
        if (privilege.hasOwnExpiry() && !tokenExpired) {
          privilegeExpiry(service, privilege, tokenExpiry, now, expiringWithinSeconds);
        }
      }
    }
  }

  private void unitMixup(DecodedToken token, InspectedService service, InspectedPrivilege privilege) {
    long stored = privilege.stored();
    if (stored == 0) {
      return;
    }
    String what = service.label() + " " + privilege.label();
    if (token.is006() && stored < TIMESTAMP_FLOOR) {
      add(FindingCode.EXPIRY_UNIT_MIXUP, Finding.Severity.WARNING, "The " + what + " privilege expires at Unix "
          + "time " + stored + " (" + iso(stored) + "): seconds from now were given where a 006 token expects a "
          + "Unix timestamp.", service.label(), privilege.label());
    } else if (!token.is006() && stored >= TIMESTAMP_FLOOR) {
      add(FindingCode.EXPIRY_UNIT_MIXUP, Finding.Severity.WARNING, "The " + what + " privilege lasts " + stored
          + " seconds after the issue time: a Unix timestamp was given where a 007 token expects seconds.",
          service.label(), privilege.label());
    }
  }

  private void privilegeExpiry(InspectedService service, InspectedPrivilege privilege, long tokenExpiry, long now,
      int expiringWithinSeconds) {
    long expiry = privilege.expiresAt();
    String what = "The " + service.label() + " " + privilege.label() + " privilege";
    if (now >= expiry) {
      boolean publishing = Names.isRtcPublishing(service.type(), privilege.id());
      String consequence = publishing
          ? "Agora enforces it only for projects that enable co-host authentication, and then refuses to let the "
              + "user publish."
          : "Agora refuses the token for it (error 109, token expired).";
      add(FindingCode.EXPIRED, publishing ? Finding.Severity.WARNING : Finding.Severity.ERROR,
          what + " expired at " + iso(expiry) + ", " + (now - expiry) + " seconds ago, although the token is valid "
              + "until " + iso(tokenExpiry) + ". " + consequence, service.label(), privilege.label());
      return;
    }
    if (expiry < tokenExpiry) {
      add(FindingCode.PRIVILEGE_EXPIRES_BEFORE_TOKEN, Finding.Severity.WARNING, what + " expires at " + iso(expiry)
          + ", before the token (" + iso(tokenExpiry) + "): from then on the token no longer grants it.",
          service.label(), privilege.label());
      if (expiry - now <= expiringWithinSeconds) {
        add(FindingCode.EXPIRING_SOON, Finding.Severity.WARNING, what + " expires at " + iso(expiry) + ", in "
            + (expiry - now) + " seconds.", service.label(), privilege.label());
      }
    }
  }

  /**
   * Who may use the token, and whether that is the client's channel and user. {@code channel} and {@code user}
   * are what the client joins with, or null when not given; a null channel or user in a service is unknown (a
   * 006 checksum that matched nothing), which differs from any given value.
   */
  void identity(List<InspectedService> services, String channel, String user) {
    InspectedService rtc = first(services, InspectedService.RTC);
    InspectedService rtm = first(services, InspectedService.RTM);
    if (rtc != null) {
      rtcUser(rtc);
      if (channel != null && (rtc.channel() == null || !"*".equals(rtc.channel()) && !rtc.channel().equals(channel))) {
        add(FindingCode.CHANNEL_DIFFERS, Finding.Severity.ERROR, rtc.channel() == null
            ? "The token's channel checksum does not match " + quote(channel) + ": it was minted for another channel."
            : "The token is for channel " + quote(rtc.channel()) + ", not " + quote(channel) + ".", "rtc", null);
      }
      if (rtm != null && rtm.userId() != null && rtc.user() != null && !rtc.user().isEmpty()
          && !rtc.user().equals(rtm.userId())) {
        add(FindingCode.RTM_USER_DIFFERS, Finding.Severity.WARNING, "The RTM user id " + quote(rtm.userId())
            + " is not the RTC user " + quote(rtc.user()) + ": a client that logs in to RTM and joins the channel "
            + "with one id fails one of the two.", "rtm", null);
      }
    }
    if (user != null) {
      userAgainst(rtc != null ? rtc : rtm != null ? rtm : first(services, InspectedService.CHAT), user);
    }
  }

  private void rtcUser(InspectedService rtc) {
    if ("*".equals(rtc.channel())) {
      add(FindingCode.ANY_CHANNEL, Finding.Severity.WARNING, "The token is for channel \"*\": its user may join "
          + "any channel with it.", "rtc", null);
    }
    String user = rtc.user();
    if (user == null) {
      return;
    }
    if (user.isEmpty()) {
      add(FindingCode.ANY_UID, Finding.Severity.WARNING, "The token has no uid (uid 0): any uid may join with it.",
          "rtc", null);
    } else if (InspectedService.allDigits(user) && !InspectedService.isCanonicalUid(user)) {
      add(FindingCode.UID_AS_ACCOUNT, Finding.Severity.WARNING, "The RTC user " + quote(user) + " is digits but "
          + "no numeric uid: " + (user.equals("0")
              ? "uid 0 (any uid) is written as no user at all, so this is the user account \"0\"."
              : user.charAt(0) == '0' ? "a uid has no leading zero." : "a uid is at most 4294967295.")
          + " It was minted as a user account: a client joining with a numeric uid fails, one joining with this "
          + "user account succeeds.", "rtc", null);
    }
  }

  private void userAgainst(InspectedService service, String user) {
    if (service == null) {
      return;
    }
    boolean rtc = service.type() == InspectedService.RTC;
    String tokenUser = rtc ? service.user() : service.userId();
    if (rtc && "".equals(tokenUser) || user.equals(tokenUser)) {
      return;
    }
    add(FindingCode.USER_DIFFERS, Finding.Severity.ERROR, tokenUser == null
        ? "The token's user checksum does not match " + quote(user) + ": it was minted for another user."
        : "The token is for " + (rtc ? "RTC user " : service.label() + " user id ") + quote(tokenUser) + ", not "
            + quote(user) + ".", service.label(), null);
  }

  void unknownService(DecodedToken token) {
    if (token.unknownServiceType() != null) {
      add(FindingCode.UNKNOWN_SERVICE, Finding.Severity.WARNING, "Service type " + token.unknownServiceType()
          + " is not one this inspector knows: its own fields and the " + (token.undecodedServices() - 1)
          + " services after it are not shown (the signature still covers them).", null, null);
    }
  }

  private static InspectedService first(List<InspectedService> services, int type) {
    return services.stream().filter(s -> s.type() == type).findFirst().orElse(null);
  }

  private void add(FindingCode code, Finding.Severity severity, String message, String service, String privilege) {
    findings.add(new Finding(code, severity, message, service, privilege));
  }

  /** Text from the token or the caller, quoted and cut to a bounded length. */
  static String quote(String value) {
    if (value.length() <= QUOTE_CHARS) {
      return "\"" + value + "\"";
    }
    int end = Character.isHighSurrogate(value.charAt(QUOTE_CHARS - 1)) ? QUOTE_CHARS - 1 : QUOTE_CHARS;
    return "\"" + value.substring(0, end) + "…\"";
  }
}
