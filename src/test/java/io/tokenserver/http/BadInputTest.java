package io.tokenserver.http;

import io.tokenserver.support.RunningServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Every bad input gets a 400 with a JSON error naming the field and the rule, never a token. */
class BadInputTest {

  /** Stands for the channel rule in the tables, whose '|' delimiter the rule itself contains. */
  private static final String CHANNEL_RULE =
      "channel must be 1-63 bytes of a-z A-Z 0-9 space and !#$%&()+-:;<=.>?@[]^_{|}~,";
  @RegisterExtension
  static final RunningServer server = RunningServer.perClass();

  private static void assertRejected(HttpResponse<Buffer> response, int status, String error) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", error));
  }

  @ParameterizedTest(name = "GET {0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      /rtc/c/admin/uid/1                     | role must be publisher, subscriber or audience
      /rtc/c/publisher/foo/1                 | tokentype must be uid or userAccount
      /rtc/c/publisher/uid/abc               | uid must be an integer from 0 to 4294967295
      /rtc/c/publisher/uid/-1                | uid must be an integer from 0 to 4294967295
      /rtc/c/publisher/uid/4294967296        | uid must be an integer from 0 to 4294967295
      /rtc/c/publisher/uid/1.5               | uid must be an integer from 0 to 4294967295
      /rtc/c/publisher/uid/99999999999999999999 | uid must be an integer from 0 to 4294967295
      /rtc/a*b/publisher/uid/1               | CHANNEL_RULE
      /rtc/caf%C3%A9/publisher/uid/1         | CHANNEL_RULE
      /rtc/a%2Fb/publisher/uid/1             | CHANNEL_RULE
      /rtc/c/publisher/uid/1?expiry=0        | expiry must be at least 1 second
      /rtc/c/publisher/uid/1?expiry=-5       | expiry must be a whole number of seconds from 1 to 86400
      /rtc/c/publisher/uid/1?expiry=abc      | expiry must be a whole number of seconds from 1 to 86400
      /rtc/c/publisher/uid/1?expiry=1.5      | expiry must be a whole number of seconds from 1 to 86400
      /rtc/c/publisher/uid/1?expiry=86401    | expiry must be at most 86400 seconds
      /rtc/c/publisher/uid/1?expiry=12345678901234567890 | expiry must be at most 86400 seconds
      /rtc/c/publisher/uid/00                | uid must be an integer from 0 to 4294967295
      /rtc/c/publisher/uid/007               | uid must be an integer from 0 to 4294967295
      /rte/c/publisher/uid/00                | uid must be an integer from 0 to 4294967295
      /rtm/a%C3%28b                          | uid must be valid UTF-8 without control or bidirectional formatting characters
      /rtm/a%FFb                             | uid must be valid UTF-8 without control or bidirectional formatting characters
      /rtm/admin%E2%80%AEnimda               | uid must be valid UTF-8 without control or bidirectional formatting characters
      /rtm/a%E2%81%A6b                       | uid must be valid UTF-8 without control or bidirectional formatting characters
      /chat/account/a%E2%80%8Fb              | chatid must be valid UTF-8 without control or bidirectional formatting characters
      /rtm/a%00b                             | uid must be valid UTF-8 without control or bidirectional formatting characters
      /rte/c/publisher/uid/x                 | uid must be an integer from 0 to 4294967295
      /rte/c/publisher/uid/1/a%0Ab           | uid must be valid UTF-8 without control or bidirectional formatting characters
      /chat/account/a%7Fb                    | chatid must be valid UTF-8 without control or bidirectional formatting characters
      /chat/app?expiry=100000                | expiry must be at most 86400 seconds
      """)
  void rejectsBadPathOrQuery(String path, String error) {
    assertRejected(server.get(path.strip()), 400, error.strip().replace("CHANNEL_RULE", CHANNEL_RULE));
  }

  @Test
  void rejectsA64ByteChannel() {
    assertRejected(server.get("/rtc/" + "c".repeat(64) + "/publisher/uid/1"), 400, CHANNEL_RULE);
    assertThat(server.get("/rtc/" + "c".repeat(63) + "/publisher/uid/1").statusCode()).isEqualTo(200);
  }

  @Test
  void rejectsA256ByteAccount() {
    assertRejected(server.get("/rtc/c/publisher/userAccount/" + "a".repeat(256)), 400,
        "uid must be 1-255 bytes of a-z A-Z 0-9 space and !#$%&()+-:;<=.>?@[]^_{|}~,");
    assertThat(server.get("/rtc/c/publisher/userAccount/" + "a".repeat(255)).statusCode()).isEqualTo(200);
  }

  @Test
  void rejectsA65ByteRtmUserId() {
    assertRejected(server.get("/rtm/" + "u".repeat(65)), 400, "uid must be at most 64 bytes");
    // 32 two-byte characters are 64 bytes: allowed; one more is not.
    assertThat(server.get("/rtm/" + "%C3%A9".repeat(32)).statusCode()).isEqualTo(200);
    assertRejected(server.get("/rtm/" + "%C3%A9".repeat(32) + "x"), 400, "uid must be at most 64 bytes");
  }

  @ParameterizedTest(name = "POST {0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      {"tokenType":"rtc","channel":"c","role":"publisher","uid":"1"                       | request body must be a JSON object
      [1,2]                                                                               | request body must be a JSON object
      "rtc"                                                                               | request body must be a JSON object
      {}                                                                                  | tokenType is required: rtc, rtm or chat
      {"tokenType":"fpa","uid":"1"}                                                       | tokenType must be rtc, rtm or chat
      {"tokenType":"rtc","role":"publisher","uid":"1"}                                    | channel is required
      {"tokenType":"rtc","channel":"c","uid":"1"}                                         | role is required
      {"tokenType":"rtc","channel":"c","role":"publisher"}                                | uid is required
      {"tokenType":"rtc","channel":"c","role":"king","uid":"1"}                           | role must be publisher, subscriber or audience
      {"tokenType":"rtc","channel":"c","role":"publisher","uid":4294967296}               | uid must be an integer from 0 to 4294967295
      {"tokenType":"rtc","channel":"c","role":"publisher","uid":-1}                       | uid must be an integer from 0 to 4294967295
      {"tokenType":"rtc","channel":"c","role":"publisher","uid":"4294967296"}             | uid must be an integer from 0 to 4294967295
      {"tokenType":"rtc","channel":"c","role":"publisher","uid":"00"}                     | uid must be an integer from 0 to 4294967295
      {"tokenType":"rtm","uid":"a\u202Eb"}                                                | uid must be valid UTF-8 without control or bidirectional formatting characters
      {"tokenType":"rtc","channel":"c","role":"publisher","uid":1.5}                      | uid must be a string
      {"tokenType":"rtc","channel":"c","role":"publisher","uid":{"a":1}}                  | uid must be a string
      {"tokenType":"rtm"}                                                                 | uid is required
      {"tokenType":"rtm","uid":"x","expire":0}                                            | expire must be at least 1 second
      {"tokenType":"rtm","uid":"x","expire":1.5}                                          | expire must be a whole number of seconds
      {"tokenType":"rtm","uid":"x","expire":"soon"}                                       | expire must be a whole number of seconds from 1 to 86400
      {"tokenType":"rtm","uid":"x","expire":86401}                                        | expire must be at most 86400 seconds
      {"tokenType":"chat","uid":["a"]}                                                    | uid must be a string
      """)
  void rejectsBadGetTokenBodies(String body, String error) {
    assertRejected(server.post("/getToken", body.strip()), 400, error.strip());
  }

  @Test
  void rejectsInvalidUtf8InAGetTokenBody() {
    Buffer body = Buffer.buffer("{\"tokenType\":\"rtm\",\"uid\":\"a").appendBytes(new byte[] {(byte) 0xC3, 0x28})
        .appendString("b\"}");
    HttpResponse<Buffer> response = server.send(server.client().post("/getToken"), body);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getString("error")).isNotBlank();
  }

  @Test
  void rejectsAnEmptyBody() {
    assertRejected(server.post("/getToken", ""), 400, "request body must be a JSON object");
  }

  @Test
  void rejectsABodyOver4KiBWith413() {
    String body = new JsonObject().put("tokenType", "rtm").put("uid", "x").put("pad", "p".repeat(4100)).encode();
    assertRejected(server.post("/getToken", body), 413, "request body is larger than 4096 bytes");
  }

  @Test
  void unknownRouteIs404Json() {
    assertRejected(server.get("/rtc/only/two"), 404, "not found");
    assertRejected(server.get("/nothing-here"), 404, "not found");
  }

  @Test
  void wrongMethodIs405Json() {
    assertRejected(server.post("/rtm/42", "{}"), 405, "method not allowed");
    assertRejected(server.get("/getToken"), 405, "method not allowed");
  }
}
