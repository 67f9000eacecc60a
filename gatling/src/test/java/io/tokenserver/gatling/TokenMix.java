package io.tokenserver.gatling;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * What clients ask for when an event opens: 60 % RTC by uid, 15 % RTC by user account, 15 % RTC + RTM
 * ({@code /rte}), 10 % the Go service's {@code POST /getToken}. Every request names its own channel and uid.
 * One virtual user sends one request (open model).
 */
final class TokenMix {

  /** A base64 AccessToken2 in a JSON string; the body is a token, so only its shape is checked. */
  private static final String TOKEN = "\"007[A-Za-z0-9+/]+={0,2}\"";

  private TokenMix() {
  }

  static HttpProtocolBuilder protocol(LoadSettings settings) {
    return http.baseUrl(settings.baseUrl)
        .acceptHeader("application/json")
        .disableWarmUp()
        // Keep-alive connections shared by all virtual users, as behind a load balancer; a new
        // connection per request would exhaust loopback ports in a soak instead of testing the server.
        .shareConnections();
  }

  static ScenarioBuilder tokenRequests(String name) {
    return scenario(name)
        .feed(distinctIds())
        .randomSwitch().on(
            percent(60.0).then(rtcUid()),
            percent(15.0).then(rtcAccount()),
            percent(15.0).then(rte()),
            percent(10.0).then(getToken()));
  }

  private static ChainBuilder rtcUid() {
    return exec(http("rtc uid").get("/rtc/#{channel}/publisher/uid/#{uid}")
        .check(status().is(200), regex("\"rtcToken\":" + TOKEN).exists()));
  }

  private static ChainBuilder rtcAccount() {
    return exec(http("rtc userAccount").get("/rtc/#{channel}/subscriber/userAccount/user-#{uid}")
        .check(status().is(200), regex("\"rtcToken\":" + TOKEN).exists()));
  }

  private static ChainBuilder rte() {
    return exec(http("rte").get("/rte/#{channel}/publisher/uid/#{uid}")
        .check(status().is(200), regex("\"rtcToken\":" + TOKEN).exists(), regex("\"rtmToken\":" + TOKEN).exists()));
  }

  private static ChainBuilder getToken() {
    return exec(http("POST getToken").post("/getToken")
        .body(StringBody("{\"tokenType\":\"rtc\",\"channel\":\"#{channel}\",\"role\":\"publisher\","
            + "\"uid\":#{uid},\"expire\":3600}")).asJson()
        .check(status().is(200), regex("\"token\":" + TOKEN).exists()));
  }

  /** An endless feeder: channel-N and uid N, N counting up from 1 across all virtual users. */
  private static Iterator<Map<String, Object>> distinctIds() {
    AtomicLong next = new AtomicLong(1);
    return Stream.generate(() -> {
      long n = next.getAndIncrement();
      return Map.<String, Object>of("channel", "channel-" + n, "uid", n);
    }).iterator();
  }
}
