package io.tokenserver.token;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Mints AccessToken2 ({@code 007…}) tokens with the bytes that {@code io.agora.media.AccessToken2#build} produces
 * for the same issue time and salt, at a fraction of its cost: the {@link Mac}, compressor,
 * {@link SecureRandom} and buffers the library creates for every token are kept per thread, the
 * certificate's HMAC for the current second is computed once per second instead of once per token, and
 * {@link TokenDeflater} gives zlib's bytes without zlib's discarded work.
 *
 * <p>Text is encoded as UTF-8; the library uses the platform charset, which on Java 17 under a POSIX locale
 * turns non-ASCII RTM and Chat user ids into {@code ?}.
 *
 * <p>Layout (little-endian; strings and byte arrays are prefixed by an unsigned 16-bit length):
 * {@code "007" + base64(deflate(signature | appId issueTs expire salt serviceCount services…))}, where
 * {@code signature = HMAC(HMAC(salt, HMAC(issueTs, certificate)), signed content)} and each service is
 * {@code type, privilegeCount, (privilege, expire)…} followed by its strings.
 */
public final class AccessToken2Minter implements TokenMinter {

  // AccessToken2 service types and privileges, as io.agora.media.AccessToken2 numbers them.
  static final short SERVICE_RTC = 1;
  static final short SERVICE_RTM = 2;
  static final short SERVICE_CHAT = 5;
  /** 1 join channel; 2, 3, 4 publish audio, video and data streams. */
  static final short RTC_JOIN_CHANNEL = 1;
  static final short RTC_PUBLISH_DATA_STREAM = 4;
  static final short RTM_LOGIN = 1;
  static final short CHAT_USER = 1;
  static final short CHAT_APP = 2;

  private static final String HMAC_SHA256 = "HmacSHA256";
  private static final int SIGNATURE_BYTES = 32;
  /** The signed content starts after the signature's length prefix and the signature. */
  private static final int CONTENT_START = 2 + SIGNATURE_BYTES;

  private final Supplier<AppCredentials> credentials;
  private final IntSupplier clock;
  private final IntSupplier fixedSalt;
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

  /** {@code credentials} is read once per token, so a rotated certificate takes effect at once. */
  public AccessToken2Minter(Supplier<AppCredentials> credentials) {
    this(credentials, () -> (int) (System.currentTimeMillis() / 1000), null);
  }

  /** For tests: {@code clock} gives the issue time in seconds, {@code salt} (when not null) the salt. */
  AccessToken2Minter(Supplier<AppCredentials> credentials, IntSupplier clock, IntSupplier salt) {
    this.credentials = credentials;
    this.clock = clock;
    this.fixedSalt = salt;
  }

  /**
   * Whether this JVM's zlib agrees with {@link TokenDeflater}, so that tokens skip zlib's discarded work; when
   * it does not (another zlib build), every token goes through {@link java.util.zip.Deflater}, still correct.
   */
  public static boolean compressesWithoutZlib() {
    return TokenDeflater.fastPathAvailable();
  }

  @Override
  public String rtc(RtcTokenRequest request) {
    int expire = request.expirySeconds();
    Scratch s = scratch.get();
    s.start(credentials.get(), clock.getAsInt(), salt(s), expire, 1);
    short privileges = request.role() == RtcTokenRequest.Role.PUBLISHER ? RTC_PUBLISH_DATA_STREAM : RTC_JOIN_CHANNEL;
    s.putShort(SERVICE_RTC).putShort(privileges);
    for (short privilege = RTC_JOIN_CHANNEL; privilege <= privileges; privilege++) {
      s.putShort(privilege).putInt(expire);
    }
    s.putString(request.channel()).putString(request.user().tokenValue());
    return s.finish();
  }

  @Override
  public String rtm(RtmTokenRequest request) {
    int expire = request.expirySeconds();
    Scratch s = scratch.get();
    String stream = request.streamChannel();
    s.start(credentials.get(), clock.getAsInt(), salt(s), expire, stream == null ? 1 : 2);
    if (stream != null) {
      // Services in type order, as the library writes them: RTC (join + publish data streams) before RTM.
      s.putShort(SERVICE_RTC).putShort((short) 2)
          .putShort(RTC_JOIN_CHANNEL).putInt(expire).putShort(RTC_PUBLISH_DATA_STREAM).putInt(expire)
          .putString(stream).putString(request.userId());
    }
    s.putShort(SERVICE_RTM).putShort((short) 1).putShort(RTM_LOGIN).putInt(expire).putString(request.userId());
    return s.finish();
  }

  @Override
  public String chat(ChatTokenRequest request) {
    int expire = request.expirySeconds();
    Scratch s = scratch.get();
    s.start(credentials.get(), clock.getAsInt(), salt(s), expire, 1);
    s.putShort(SERVICE_CHAT).putShort((short) 1)
        .putShort(request.isAppToken() ? CHAT_APP : CHAT_USER).putInt(expire)
        .putString(request.isAppToken() ? "" : request.userId());
    return s.finish();
  }

  private int salt(Scratch s) {
    return fixedSalt == null ? s.nextSalt() : fixedSalt.getAsInt();
  }

  /** One thread's reusable signing state; never shared between threads. */
  private static final class Scratch {
    final Mac mac;
    final TokenDeflater deflater = new TokenDeflater();
    final SecureRandom random = new SecureRandom();
    /** Salts drawn 64 at a time: one SecureRandom call (a lock and a read of its source) per 64 tokens. */
    final byte[] salts = new byte[256];
    int saltsUsed = salts.length;
    final byte[] intKey = new byte[4];
    byte[] content = new byte[1024];
    int position;
    int issueTs;
    int salt;

    // HMAC(issueTs, certificate) changes once a second, not once per token.
    AppCredentials cachedApp;
    byte[] appIdBytes;
    byte[] certificateBytes;
    int cachedIssueTs;
    byte[] certificateHmac;

    Scratch() {
      try {
        mac = Mac.getInstance(HMAC_SHA256);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is not available", e);
      }
    }

    void start(AppCredentials app, int issueTs, int salt, int expire, int services) {
      if (app != cachedApp) {
        // Checked as the library does (it answers "" instead); the values themselves are never printed.
        if (!AppCredentials.isHex32(app.appId()) || !AppCredentials.isHex32(app.appCertificate())) {
          throw new IllegalStateException("the app id and app certificate must be 32 hex characters");
        }
        appIdBytes = app.appId().getBytes(StandardCharsets.US_ASCII);
        certificateBytes = app.appCertificate().getBytes(StandardCharsets.US_ASCII);
        certificateHmac = null;
        cachedApp = app;
      }
      position = CONTENT_START;
      putBytes(appIdBytes).putInt(issueTs).putInt(expire).putInt(salt).putShort((short) services);
      this.issueTs = issueTs;
      this.salt = salt;
    }

    int nextSalt() {
      if (saltsUsed == salts.length) {
        random.nextBytes(salts);
        saltsUsed = 0;
      }
      int salt = (salts[saltsUsed] & 0xFF) << 24 | (salts[saltsUsed + 1] & 0xFF) << 16
          | (salts[saltsUsed + 2] & 0xFF) << 8 | salts[saltsUsed + 3] & 0xFF;
      saltsUsed += 4;
      return salt;
    }

    Scratch putShort(short value) {
      ensure(2);
      content[position++] = (byte) value;
      content[position++] = (byte) (value >> 8);
      return this;
    }

    Scratch putInt(int value) {
      ensure(4);
      writeInt(content, position, value);
      position += 4;
      return this;
    }

    Scratch putString(String value) {
      return putBytes(value.getBytes(StandardCharsets.UTF_8));
    }

    Scratch putBytes(byte[] value) {
      if (value.length > 0xFFFF) {
        throw new IllegalArgumentException("a token field is longer than 65535 bytes");
      }
      putShort((short) value.length);
      ensure(value.length);
      System.arraycopy(value, 0, content, position, value.length);
      position += value.length;
      return this;
    }

    /** Signs the content written since {@link #start}, then deflates and encodes it. */
    String finish() {
      try {
        mac.init(new SecretKeySpec(signingKey(), HMAC_SHA256));
        mac.update(content, CONTENT_START, position - CONTENT_START);
        mac.doFinal(content, 2);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("signing failed", e);
      }
      content[0] = (byte) SIGNATURE_BYTES;
      content[1] = 0;
      return encode(deflater.deflate(content, position));
    }

    /** HMAC(salt, HMAC(issueTs, certificate)), as AccessToken2#getSign. */
    private byte[] signingKey() throws GeneralSecurityException {
      if (certificateHmac == null || cachedIssueTs != issueTs) {
        mac.init(new SecretKeySpec(intBytes(issueTs), HMAC_SHA256));
        certificateHmac = mac.doFinal(certificateBytes);
        cachedIssueTs = issueTs;
      }
      mac.init(new SecretKeySpec(intBytes(salt), HMAC_SHA256));
      return mac.doFinal(certificateHmac);
    }

    /**
     * "007" + standard base64 with padding (what commons-codec's encodeBase64 gives); java.util.Base64 is
     * faster than a hand-written loop here (Base64EncodingBenchmark).
     */
    private String encode(int length) {
      ByteBuffer encoded = Base64.getEncoder().encode(ByteBuffer.wrap(deflater.output(), 0, length));
      byte[] out = new byte[3 + encoded.remaining()];
      out[0] = '0';
      out[1] = '0';
      out[2] = '7';
      encoded.get(out, 3, encoded.remaining());
      return new String(out, StandardCharsets.ISO_8859_1);
    }

    private byte[] intBytes(int value) {
      writeInt(intKey, 0, value);
      return intKey;
    }

    private void ensure(int bytes) {
      if (position + bytes > content.length) {
        content = Arrays.copyOf(content, Math.max(content.length * 2, position + bytes));
      }
    }

    private static void writeInt(byte[] target, int offset, int value) {
      target[offset] = (byte) value;
      target[offset + 1] = (byte) (value >> 8);
      target[offset + 2] = (byte) (value >> 16);
      target[offset + 3] = (byte) (value >> 24);
    }
  }
}
