package io.tokenserver.token;

import io.agora.chat.ChatTokenBuilder2;
import io.agora.media.RtcTokenBuilder2;
import io.agora.rtm.RtmTokenBuilder2;
import io.tokenserver.support.FakeCredentials;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Cost of one token: the {@code io.agora} builders as they are versus the server's {@link AccessToken2Minter}.
 * Not a test; run with {@code mvn -B -Pjmh test-compile exec:exec} (see docs/benchmarks.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MintingBenchmark {

  private static final String APP_ID = FakeCredentials.APP_ID;
  private static final String CERTIFICATE = FakeCredentials.APP_CERTIFICATE;
  private static final int EXPIRE = 3600;

  @Param({"agoraBuilders", "AccessToken2Minter"})
  public String minter;

  private static final String[] UUIDS = new String[1024];

  static {
    java.util.Random random = new java.util.Random(1);
    for (int i = 0; i < UUIDS.length; i++) {
      UUIDS[i] = new java.util.UUID(random.nextLong(), random.nextLong()).toString();
    }
  }

  private TokenMinter tokens;
  private int uid = 100_000;

  @Setup
  public void setUp() {
    tokens = "agoraBuilders".equals(minter) ? new Builders() : new AccessToken2Minter(() -> FakeCredentials.CREDENTIALS);
  }

  @Benchmark
  public String rtcUid() {
    return tokens.rtc(new RtcTokenRequest("stage", RtcTokenRequest.Role.PUBLISHER, new RtcUser.Uid(++uid), EXPIRE));
  }

  @Benchmark
  public String rtcAccount() {
    return tokens.rtc(new RtcTokenRequest("stage", RtcTokenRequest.Role.PUBLISHER, new RtcUser.Account("user-" + ++uid), EXPIRE));
  }

  /** UUID channel and account: tokens the minter's compressor leaves to zlib (TokenDeflater). */
  @Benchmark
  public String rtcUuidNames() {
    String channel = UUIDS[++uid & (UUIDS.length - 1)];
    return tokens.rtc(new RtcTokenRequest(channel, RtcTokenRequest.Role.PUBLISHER,
        new RtcUser.Account(UUIDS[(uid * 31) & (UUIDS.length - 1)]), EXPIRE));
  }

  @Benchmark
  public String rtm() {
    return tokens.rtm(new RtmTokenRequest("user-" + ++uid, EXPIRE));
  }

  @Benchmark
  public String chat() {
    return tokens.chat(ChatTokenRequest.user("user-" + ++uid, EXPIRE));
  }

  /** The builders called exactly as their documentation shows, one call per token. */
  private static final class Builders implements TokenMinter {
    private final RtcTokenBuilder2 rtc = new RtcTokenBuilder2();
    private final RtmTokenBuilder2 rtm = new RtmTokenBuilder2();
    private final ChatTokenBuilder2 chat = new ChatTokenBuilder2();

    @Override
    public String rtc(RtcTokenRequest request) {
      RtcTokenBuilder2.Role role = request.role() == RtcTokenRequest.Role.PUBLISHER
          ? RtcTokenBuilder2.Role.ROLE_PUBLISHER : RtcTokenBuilder2.Role.ROLE_SUBSCRIBER;
      return request.user() instanceof RtcUser.Uid uid
          ? rtc.buildTokenWithUid(APP_ID, CERTIFICATE, request.channel(), (int) uid.value(), role, EXPIRE, EXPIRE)
          : rtc.buildTokenWithUserAccount(APP_ID, CERTIFICATE, request.channel(), request.user().tokenValue(), role,
              EXPIRE, EXPIRE);
    }

    @Override
    public String rtm(RtmTokenRequest request) {
      return rtm.buildToken(APP_ID, CERTIFICATE, request.userId(), EXPIRE);
    }

    @Override
    public String chat(ChatTokenRequest request) {
      return chat.buildUserToken(APP_ID, CERTIFICATE, request.userId(), EXPIRE);
    }
  }
}
