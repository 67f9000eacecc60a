package io.tokenserver.inspect;

import java.util.List;

/**
 * What a 006 token's checksums reveal. The token stores only the CRC-32 of its channel and of its uid, and signs
 * the strings themselves; a checksum is matched against the value the caller gives, then against the
 * wildcards it may stand for ({@code ""}, no uid; {@code "*"}, any channel). An RTM token (privilege 1000 only)
 * keeps its user id where an RTC token keeps the channel, and no uid.
 *
 * @param services the token's services with the channel, user or user id that could be matched
 * @param signedChannel the string signed in the channel's place, or null when unknown
 * @param signedUser the string signed in the uid's place, or null when unknown
 */
record Identity006(List<InspectedService> services, String signedChannel, String signedUser) {

  static Identity006 resolve(DecodedToken token, String channel, String user) {
    boolean rtmOnly = token.services().stream().allMatch(s -> s.type() == InspectedService.RTM)
        && !token.services().isEmpty();
    if (rtmOnly) {
      String userId = matching(token.channelCrc32(), user, null);
      String noUid = matching(token.userCrc32(), "", null);
      return new Identity006(
          token.services().stream().map(s -> s.withIdentity(null, null, userId)).toList(), userId, noUid);
    }
    String rtcChannel = matching(token.channelCrc32(), channel, "*");
    String rtcUser = matching(token.userCrc32(), user, "");
    return new Identity006(token.services().stream()
        .map(s -> s.type() == InspectedService.RTC ? s.withIdentity(rtcChannel, rtcUser, null) : s)
        .toList(), rtcChannel, rtcUser);
  }

  private static String matching(long crc, String given, String wildcard) {
    if (given != null && Signatures.crc32(given) == crc) {
      return given;
    }
    return wildcard != null && Signatures.crc32(wildcard) == crc ? wildcard : null;
  }
}
