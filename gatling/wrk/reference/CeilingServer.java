import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

/**
 * The benchmark ceiling (never shipped): a bare Vert.x 5 requestHandler that answers every request with
 * the same fixed JSON body, as long as the server's answer to /rtc (182 bytes), and mints nothing. What it
 * serves is what HTTP alone costs on this machine, the most any Vert.x token server could reach.
 * Usage: java CeilingServer PORT
 */
public final class CeilingServer {

  static final int BODY_BYTES = 182;
  static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

  public static void main(String[] args) {
    String prefix = "{\"rtcToken\":\"007";
    String suffix = "\"}";
    Buffer body = Buffer.buffer(prefix + "A".repeat(BODY_BYTES - prefix.length() - suffix.length()) + suffix);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true)
        .setEventLoopPoolSize(Runtime.getRuntime().availableProcessors()));
    vertx.createHttpServer()
        .requestHandler(request -> request.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.copy()))
        .listen(Integer.parseInt(args[0]), "127.0.0.1").await();
    System.out.println("ceiling ready (" + body.length() + " bytes a response)");
  }
}
