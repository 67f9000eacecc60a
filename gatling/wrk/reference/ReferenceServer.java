import io.agora.media.RtcTokenBuilder2;
import io.agora.rtm.RtmTokenBuilder2;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The benchmark reference (never shipped): a bare Vert.x 5 requestHandler that mints with the stock
 * io.agora builders. MODE=inline (default) mints on the event loop; MODE=pool hands each request to a
 * worker pool and back (executeBlocking); MODE=batch hands all requests of one event-loop turn over as one
 * task. Routes: /ping, /rtc/CHANNEL/publisher/uid/UID, /rtm/USER. Usage: java ReferenceServer PORT
 */
public final class ReferenceServer {

  static final String APP_ID = "970ca35de60c44645bbae8a215061b33";
  static final String CERT = "5cfd2fd1755d40ecb72977518be15d3b";
  static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  static final RtcTokenBuilder2 RTC = new RtcTokenBuilder2();
  static final RtmTokenBuilder2 RTM = new RtmTokenBuilder2();

  public static void main(String[] args) {
    String mode = System.getenv().getOrDefault("MODE", "inline");
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true)
        .setEventLoopPoolSize(Runtime.getRuntime().availableProcessors()));
    List<Runnable>[] open = new List[1];
    vertx.createHttpServer().requestHandler(request -> {
      Callable<Buffer> mint = mint(request.path());
      if (mint == null) {
        request.response().setStatusCode(404).end();
      } else if (mode.equals("inline")) {
        respond(request, call(mint));
      } else if (mode.equals("pool")) {
        vertx.executeBlocking(mint, false).onSuccess(body -> respond(request, body));
      } else { // batch: one task to the pool and one back per event-loop turn
        if (open[0] == null) {
          List<Runnable> batch = open[0] = new ArrayList<>();
          var ctx = vertx.getOrCreateContext();
          ctx.runOnContext(v -> {
            open[0] = null;
            vertx.executeBlocking(() -> { batch.forEach(Runnable::run); return null; }, false)
                .onComplete(done -> batch.forEach(Runnable::run));
          });
        }
        Buffer[] body = new Buffer[1];
        open[0].add(() -> { if (body[0] == null) body[0] = call(mint); else respond(request, body[0]); });
      }
    }).listen(Integer.parseInt(args[0]), "127.0.0.1").await();
    System.out.println("reference ready (MODE=" + mode + ")");
  }

  static Callable<Buffer> mint(String path) {
    String[] p = path.split("/");
    if (path.equals("/ping")) {
      return () -> Buffer.buffer("{\"message\":\"pong\"}");
    } else if (p.length == 6 && p[1].equals("rtc")) {
      return () -> Buffer.buffer("{\"rtcToken\":\"" + RTC.buildTokenWithUid(APP_ID, CERT, p[2],
          (int) Long.parseLong(p[5]), RtcTokenBuilder2.Role.ROLE_PUBLISHER, 3600, 3600) + "\"}");
    } else if (p.length == 3 && p[1].equals("rtm")) {
      return () -> Buffer.buffer("{\"rtmToken\":\"" + RTM.buildToken(APP_ID, CERT, p[2], 3600) + "\"}");
    }
    return null;
  }

  static Buffer call(Callable<Buffer> mint) {
    try {
      return mint.call();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void respond(HttpServerRequest request, Buffer body) {
    request.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body);
  }
}
