package io.tokenserver.signing;

import io.tokenserver.config.ServerConfig;
import io.tokenserver.support.GatedMinter;
import io.tokenserver.support.RunningServer;
import io.tokenserver.support.TestConfig;
import io.tokenserver.support.VerifiedToken;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class SigningPoolSaturationTest {

  @Test
  void overflowGets503WithRetryAfterAtOnceAndTheServerRecovers() throws Exception {
    GatedMinter minter = new GatedMinter();
    ServerConfig config = ServerConfig.from(TestConfig.values().put("SIGNING_POOL_SIZE", 1).put("SIGNING_MAX_PENDING", 1));
    try (RunningServer server = RunningServer.start(config, minter)) {
      Future<HttpResponse<Buffer>> first = server.client().request(HttpMethod.GET, "/rtm/first").send();
      assertThat(minter.entered.await(10, TimeUnit.SECONDS)).as("first signing started").isTrue();

      List<HttpResponse<Buffer>> overflow = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        overflow.add(server.get("/rtm/overflow-" + i)); // answered while the pool is still blocked
      }
      for (HttpResponse<Buffer> response : overflow) {
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("1");
        assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("the server is busy, retry shortly");
      }

      // A full pool sheds load with fast 503s but stays ready: were every replica of a spike taken out of
      // rotation, the Service would have no endpoint left and refuse every client.
      assertThat(server.management("/health/ready").statusCode()).isEqualTo(200);

      minter.release.countDown();
      HttpResponse<Buffer> firstResponse = first.await(10, TimeUnit.SECONDS);
      assertThat(firstResponse.statusCode()).isEqualTo(200);
      VerifiedToken.verify(firstResponse.bodyAsJsonObject().getString("rtmToken"));

      HttpResponse<Buffer> after = server.get("/rtm/after");
      assertThat(after.statusCode()).as("recovered").isEqualTo(200);
      assertThat(VerifiedToken.verify(after.bodyAsJsonObject().getString("rtmToken")).rtm().userId).isEqualTo("after");

      String metrics = server.management("/metrics").bodyAsString();
      assertThat(metrics).contains("token_server_signing_rejected_total 5.0").contains("token_server_token_errors_total{reason=\"saturated\"} 5.0");
    }
  }
}
