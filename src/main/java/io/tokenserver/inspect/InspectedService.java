package io.tokenserver.inspect;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One service of a token, by its AccessToken2 type number: 1 rtc, 2 rtm, 3 streaming, 4 fpa, 5 chat, 7 apaas.
 * {@code name} is null for a type this inspector does not know. The other fields are set for the services
 * that carry them, else null:
 * <ul>
 *   <li>{@code channel} and {@code user} (rtc, streaming): the channel name and the user exactly as the token
 *       carries it, {@code ""} for uid 0. In a 006 token they are stored only as checksums: null when unknown.
 *   <li>{@code userId} (rtm, chat): the RTM or Chat user id; {@code ""} in a Chat app token.
 *   <li>{@code roomUuid}, {@code userUuid}, {@code apaasRole} (apaas).
 * </ul>
 */
public record InspectedService(int type, String name, List<InspectedPrivilege> privileges, String channel,
    String user, String userId, String roomUuid, String userUuid, Integer apaasRole) {

  public static final int RTC = 1;
  public static final int RTM = 2;
  public static final int STREAMING = 3;
  public static final int FPA = 4;
  public static final int CHAT = 5;
  public static final int APAAS = 7;

  private static final long MAX_UID = 0xFFFF_FFFFL;

  public InspectedService {
    privileges = List.copyOf(privileges);
  }

  /** A service's label in messages: its name, or {@code service N}. */
  String label() {
    return name != null ? name : "service " + type;
  }

  InspectedService withIdentity(String channel, String user, String userId) {
    return new InspectedService(type, name, privileges, channel, user, userId, roomUuid, userUuid, apaasRole);
  }

  /** The uid a client must join with when {@link #user} is a plain uid (0 for "any uid"), else null. */
  public Long uid() {
    if (user == null) {
      return null;
    }
    if (user.isEmpty()) {
      return 0L;
    }
    return isCanonicalUid(user) ? Long.parseLong(user) : null;
  }

  /** The user account when {@link #user} is not a plain uid, else null. */
  public String account() {
    return user == null || uid() != null ? null : user;
  }

  /**
   * For rtc: {@code publisher} (join and publish audio, video and data), {@code subscriber} (join only) or
   * {@code custom}; null for other services.
   */
  public String rtcRole() {
    if (type != RTC) {
      return null;
    }
    Set<Integer> ids = privileges.stream().map(InspectedPrivilege::id).collect(Collectors.toSet());
    if (ids.equals(Set.of(1))) {
      return "subscriber";
    }
    return ids.equals(Set.of(1, 2, 3, 4)) ? "publisher" : "custom";
  }

  /** Digits without a leading zero, 1…4294967295: what an SDK's numeric uid becomes in a token. */
  static boolean isCanonicalUid(String value) {
    if (value.isEmpty() || value.length() > 10 || value.charAt(0) == '0' || !allDigits(value)) {
      return false;
    }
    return Long.parseLong(value) <= MAX_UID;
  }

  static boolean allDigits(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        return false;
      }
    }
    return !value.isEmpty();
  }

  /**
   * JSON-ready: {@code type}, {@code name}, then the identity fields that are known ({@code channel},
   * {@code user}, {@code uid} or {@code account}, {@code userId}, {@code roomUuid}, {@code userUuid}),
   * {@code role} (rtc: publisher, subscriber, custom; apaas: the number), and {@code privileges}.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("type", type);
    Inspection.putIfPresent(map, "name", name);
    Inspection.putIfPresent(map, "channel", channel);
    Inspection.putIfPresent(map, "user", user);
    Inspection.putIfPresent(map, "uid", uid());
    Inspection.putIfPresent(map, "account", account());
    Inspection.putIfPresent(map, "userId", userId);
    Inspection.putIfPresent(map, "roomUuid", roomUuid);
    Inspection.putIfPresent(map, "userUuid", userUuid);
    Inspection.putIfPresent(map, "role", type == RTC ? rtcRole() : apaasRole);
    map.put("privileges", privileges.stream().map(InspectedPrivilege::toMap).toList());
    return map;
  }
}
