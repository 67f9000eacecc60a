package io.tokenserver.hardening;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates HTTP/1.x requests from a seed: valid routes with mutated segments, percent-encodings (also broken
 * and non-UTF-8 ones), overlong segments, odd methods and versions, random and hostile headers, random JSON
 * (and not-JSON) bodies. The same seed gives the same requests.
 */
final class RequestFuzzer {

  private static final String[] METHODS = {"GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH",
      "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "G@T", "get", "GET\t"};
  private static final String[] ROUTES = {"/ping", "/rtc/%s/%s/%s/%s", "/rtm/%s", "/rte/%s/%s/%s/%s",
      "/rte/%s/%s/%s/%s/%s", "/chat/app", "/chat/account/%s", "/getToken", "/getToken/", "/", "/metrics",
      "/health/ready", "/rtc", "/rtc/%s", "/%s"};
  private static final String[] GOOD_SEGMENTS = {"stage", "42", "publisher", "subscriber", "audience", "uid",
      "userAccount", "alice", "0", "4294967295", "team-blue", "a", "%20", "aZ09%20!%23$%25&()+-:;<=.%3E%3F@[]^_{|}~,"};
  private static final String[] BAD_SEGMENTS = {"4294967296", "-1", "1.5", "abc", "admin", "foo", "", ".", "..",
      "%", "%z", "%zz", "%C0%AF", "%FF%FE", "%00", "%0D%0A", "%E2%82", "%F0%9F%98%80", "\u00e9", "*", "?", "#",
      "%2F", "%5C", "\\", "'", "\"", "<script>", "${jndi:ldap://x}", "%25%32%35", "null", "true", "[]", "{}",
      "99999999999999999999", "0x10", "+1", " 1", "1e3"};
  private static final String[] HEADER_NAMES = {"Content-Type", "Origin", "Access-Control-Request-Method",
      "Access-Control-Request-Headers", "Authorization", "X-API-Key", "X-Forwarded-For", "Accept",
      "Accept-Encoding", "Expect", "Cookie", "Range", "If-None-Match", "Upgrade", "Content-Encoding", "X-Random",
      "Host", "User-Agent", "Connection", "Forwarded", "X-Real-IP", "Content-Language"};

  private final Random random;
  private final List<String> goodJwts;

  RequestFuzzer(long seed, List<String> goodJwts) {
    this.random = new Random(seed);
    this.goodJwts = goodJwts;
  }

  /** A generated request: its bytes and whether the server should close the connection after answering. */
  record Request(byte[] bytes, boolean closesConnection, String summary) {
  }

  Request next() {
    String method = pick(METHODS);
    String version = random.nextInt(40) == 0 ? pick(new String[] {"HTTP/1.0", "HTTP/2.0", "HTTP/1.2", "HTTP/9"})
        : "HTTP/1.1";
    String path = path();
    List<String> headers = new ArrayList<>();
    headers.add("Host: 127.0.0.1");
    int headerCount = random.nextInt(6);
    for (int i = 0; i < headerCount; i++) {
      headers.add(header());
    }
    byte[] body = null;
    if (method.startsWith("POST") || random.nextInt(10) == 0) {
      body = body();
    }
    boolean chunked = body != null && body.length > 0 && random.nextInt(10) == 0;
    if (body != null) {
      if (chunked) {
        headers.add("Transfer-Encoding: chunked");
        if (random.nextInt(4) == 0) {
          headers.add("Content-Length: " + body.length); // smuggling attempt: must get 400 and a close
        }
      } else {
        headers.add("Content-Length: " + body.length);
      }
    }
    boolean close = version.equals("HTTP/1.0") || headers.stream().anyMatch(h -> h.equalsIgnoreCase("Connection: close"));
    StringBuilder head = new StringBuilder(method).append(' ').append(path).append(' ').append(version).append("\r\n");
    for (String header : headers) {
      head.append(header).append("\r\n");
    }
    head.append("\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] bodyBytes = body == null ? new byte[0] : chunked ? chunk(body) : body;
    byte[] all = new byte[headBytes.length + bodyBytes.length];
    System.arraycopy(headBytes, 0, all, 0, headBytes.length);
    System.arraycopy(bodyBytes, 0, all, headBytes.length, bodyBytes.length);
    String summary = method + " " + (path.length() > 120 ? path.substring(0, 120) + "..." : path) + " " + version;
    return new Request(all, close, summary);
  }

  private String path() {
    int kind = random.nextInt(20);
    if (kind == 0) {
      return "/" + "a".repeat(1 + random.nextInt(6000)); // overlong: some over the request-line limit
    }
    if (kind == 1) {
      return randomPath();
    }
    String route = pick(ROUTES);
    int slots = route.split("%s", -1).length - 1;
    Object[] segments = new Object[slots];
    for (int i = 0; i < slots; i++) {
      segments[i] = segment();
    }
    String path = String.format(route, segments);
    if (random.nextInt(4) == 0) {
      path += "/";
    }
    if (random.nextInt(5) == 0) {
      path += "?expiry=" + pick(new String[] {"", "60", "86400", "86401", "0", "-5", "abc", "1.5",
          "99999999999999999999", "%00", "60&expiry=70", "%", "1%20"});
    }
    if (random.nextInt(30) == 0) {
      path += "#fragment";
    }
    if (random.nextInt(40) == 0) {
      path = "//" + path;
    }
    return path;
  }

  private String segment() {
    int kind = random.nextInt(10);
    if (kind < 5) {
      return pick(GOOD_SEGMENTS);
    }
    if (kind < 8) {
      return pick(BAD_SEGMENTS);
    }
    if (kind == 8) {
      StringBuilder encoded = new StringBuilder();
      int length = 1 + random.nextInt(80);
      for (int i = 0; i < length; i++) {
        encoded.append('%').append(String.format("%02X", random.nextInt(256)));
      }
      return encoded.toString();
    }
    return "x".repeat(50 + random.nextInt(300));
  }

  /** Printable ASCII, sometimes with characters a request line may not hold. */
  private String randomPath() {
    StringBuilder path = new StringBuilder("/");
    int length = random.nextInt(200);
    for (int i = 0; i < length; i++) {
      int c = random.nextInt(100) == 0 ? random.nextInt(32) : 33 + random.nextInt(94);
      if (c == '\r' || c == '\n') {
        c = 'x';
      }
      path.append((char) c);
    }
    return path.toString();
  }

  private String header() {
    int kind = random.nextInt(30);
    if (kind == 0) {
      return "X-Big: " + "b".repeat(random.nextInt(12_000)); // some over the header-size limit
    }
    if (kind == 1) {
      return randomToken() + ": " + randomValue();
    }
    if (kind == 2) {
      return "Bad Header Name: x";
    }
    String name = pick(HEADER_NAMES);
    String value = switch (name) {
      case "Authorization" -> authorization();
      case "X-API-Key" -> random.nextBoolean() ? randomValue() : "";
      case "X-Forwarded-For" -> forwardedFor();
      case "Origin" -> pick(new String[] {"https://app.example", "null", "http://[", "*", "https://a.b:99999",
          "javascript:alert(1)", "https://" + "o".repeat(300) + ".example", ""});
      case "Content-Type" -> pick(new String[] {"application/json", "text/plain", "application/json; charset=utf-16",
          "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", ""});
      case "Connection" -> pick(new String[] {"keep-alive", "close", "Upgrade", "x"});
      case "Upgrade" -> pick(new String[] {"h2c", "websocket", "TLS/1.2"});
      case "Expect" -> pick(new String[] {"100-continue", "200-ok"});
      case "Host" -> pick(new String[] {"", "evil.example", "127.0.0.1:1", "[::1]"});
      default -> randomValue();
    };
    return name + ": " + value;
  }

  private String authorization() {
    int kind = random.nextInt(6);
    if (kind == 0 || goodJwts.isEmpty()) {
      return "Bearer " + randomValue();
    }
    String jwt = goodJwts.get(random.nextInt(goodJwts.size()));
    return switch (kind) {
      case 1, 2 -> "Bearer " + jwt;
      case 3 -> "Bearer " + mutate(jwt);
      case 4 -> "Basic " + jwt;
      default -> "bearer " + jwt.substring(0, random.nextInt(jwt.length()));
    };
  }

  private String forwardedFor() {
    return switch (random.nextInt(4)) {
      case 0 -> random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256);
      case 1 -> "2001:db8::" + Integer.toHexString(random.nextInt(65536)) + ", 127.0.0.1";
      case 2 -> randomValue() + ", " + random.nextInt(256) + ".0.0.1";
      default -> "unknown, , ,,";
    };
  }

  private String mutate(String text) {
    char[] chars = text.toCharArray();
    int flips = 1 + random.nextInt(3);
    for (int i = 0; i < flips; i++) {
      chars[random.nextInt(chars.length)] = (char) (33 + random.nextInt(94));
    }
    return new String(chars);
  }

  private String randomToken() {
    StringBuilder token = new StringBuilder();
    int length = 1 + random.nextInt(20);
    for (int i = 0; i < length; i++) {
      token.append((char) (33 + random.nextInt(94)));
    }
    return token.toString().replace(":", "");
  }

  private String randomValue() {
    StringBuilder value = new StringBuilder();
    int length = random.nextInt(100);
    for (int i = 0; i < length; i++) {
      int c = random.nextInt(50) == 0 ? 128 + random.nextInt(128) : 32 + random.nextInt(95);
      value.append((char) c);
    }
    return value.toString().trim();
  }

  private byte[] body() {
    int kind = random.nextInt(12);
    String text;
    if (kind == 0) {
      byte[] bytes = new byte[random.nextInt(300)];
      random.nextBytes(bytes);
      return bytes;
    }
    if (kind == 1) {
      text = "x".repeat(4000 + random.nextInt(2000)); // around the 4 KiB body limit
    } else if (kind == 2) {
      int depth = 1 + random.nextInt(3000);
      text = "[".repeat(depth) + "]".repeat(depth);
    } else if (kind == 3) {
      text = pick(new String[] {"", "null", "[]", "[1,2]", "\"text\"", "42", "{", "{\"a\":}", "{}", "{\"tokenType\":\"rtc\""});
    } else {
      text = jsonObject(0);
    }
    return text.getBytes(random.nextInt(20) == 0 ? StandardCharsets.UTF_16 : StandardCharsets.UTF_8);
  }

  private String jsonObject(int depth) {
    StringBuilder json = new StringBuilder("{");
    String[] fields = {"tokenType", "channel", "role", "uid", "expire", "extra", "tokenType"};
    int count = random.nextInt(7);
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        json.append(',');
      }
      String field = random.nextInt(8) == 0 ? randomToken().replace("\"", "").replace("\\", "") : pick(fields);
      json.append('"').append(field).append("\":").append(jsonValue(field, depth));
    }
    return json.append('}').toString();
  }

  private String jsonValue(String field, int depth) {
    int kind = random.nextInt(14);
    return switch (kind) {
      case 0, 1, 2 -> switch (field) {
        case "tokenType" -> quote(pick(new String[] {"rtc", "rtm", "chat", "RTC", "", "rte"}));
        case "role" -> quote(pick(new String[] {"publisher", "subscriber", "audience", "admin", ""}));
        case "channel" -> quote(pick(new String[] {"stage", "", "a".repeat(64), "chan*", "caf\u00e9"}));
        case "uid" -> pick(new String[] {"42", "\"42\"", "0", "4294967295", "4294967296", "-1", "\"alice\"", "\"\""});
        case "expire" -> pick(new String[] {"60", "\"60\"", "0", "86401", "-5", "1.5", "\"\"", "1e3"});
        default -> "1";
      };
      case 3 -> "null";
      case 4 -> random.nextBoolean() ? "true" : "false";
      case 5 -> Long.toString(random.nextLong());
      case 6 -> "1" + "0".repeat(random.nextInt(500)); // huge integers
      case 7 -> Double.toString(random.nextDouble() * 1e6);
      case 8 -> "1e400";
      case 9 -> depth < 3 ? jsonObject(depth + 1) : "{}";
      case 10 -> "[" + (depth < 3 ? jsonValue(field, depth + 1) : "") + "]";
      case 11 -> quote("\\u0000\\ud800" + randomValue().replace("\\", "").replace("\"", ""));
      default -> quote(randomValue().replace("\\", "\\\\").replace("\"", "\\\""));
    };
  }

  private static String quote(String text) {
    return '"' + text + '"';
  }

  private static byte[] chunk(byte[] body) {
    String head = Integer.toHexString(body.length) + "\r\n";
    byte[] out = new byte[head.length() + body.length + 7];
    System.arraycopy(head.getBytes(StandardCharsets.ISO_8859_1), 0, out, 0, head.length());
    System.arraycopy(body, 0, out, head.length(), body.length);
    System.arraycopy("\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0, out, head.length() + body.length, 7);
    return out;
  }

  private String pick(String[] values) {
    return values[random.nextInt(values.length)];
  }
}
