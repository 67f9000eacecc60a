package io.tokenserver.inspect;

import java.util.Map;

/** The names of AccessToken2 services and privileges, and of AccessToken (006) privileges. */
final class Names {

  private static final Map<Integer, String> SERVICES = Map.of(
      InspectedService.RTC, "rtc",
      InspectedService.RTM, "rtm",
      InspectedService.STREAMING, "streaming",
      InspectedService.FPA, "fpa",
      InspectedService.CHAT, "chat",
      InspectedService.APAAS, "apaas");

  private static final Map<Integer, Map<Integer, String>> PRIVILEGES = Map.of(
      InspectedService.RTC, Map.of(1, "joinChannel", 2, "publishAudioStream", 3, "publishVideoStream",
          4, "publishDataStream"),
      InspectedService.RTM, Map.of(1, "login"),
      InspectedService.STREAMING, Map.of(1, "publishMixStream", 2, "publishRawStream"),
      InspectedService.FPA, Map.of(1, "login"),
      InspectedService.CHAT, Map.of(1, "user", 2, "app"),
      InspectedService.APAAS, Map.of(1, "roomUser", 2, "user", 3, "app"));

  /** 006 keeps one list of privileges for RTC, and 1000 for RTM login. */
  static final int RTM_LOGIN_006 = 1000;

  private static final Map<Integer, String> PRIVILEGES_006 = Map.ofEntries(
      Map.entry(1, "joinChannel"), Map.entry(2, "publishAudioStream"), Map.entry(3, "publishVideoStream"),
      Map.entry(4, "publishDataStream"), Map.entry(5, "publishAudioCdn"), Map.entry(6, "publishVideoCdn"),
      Map.entry(7, "requestPublishAudioStream"), Map.entry(8, "requestPublishVideoStream"),
      Map.entry(9, "requestPublishDataStream"), Map.entry(10, "invitePublishAudioStream"),
      Map.entry(11, "invitePublishVideoStream"), Map.entry(12, "invitePublishDataStream"),
      Map.entry(101, "administrateChannel"), Map.entry(RTM_LOGIN_006, "login"));

  private Names() {
  }

  static String service(int type) {
    return SERVICES.get(type);
  }

  static String privilege(int serviceType, int id) {
    return PRIVILEGES.getOrDefault(serviceType, Map.of()).get(id);
  }

  static String privilege006(int id) {
    return PRIVILEGES_006.get(id);
  }

  /**
   * RTC privileges beyond joining (publishing and the like): Agora enforces them only for projects that enable
   * co-host authentication.
   */
  static boolean isRtcPublishing(int serviceType, int id) {
    return serviceType == InspectedService.RTC && id != 1;
  }
}
