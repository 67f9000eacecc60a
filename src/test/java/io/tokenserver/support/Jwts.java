package io.tokenserver.support;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

/** Signs test JWTs: HS256 with a secret, RS256 with a generated key pair (also published as PEM and JWKS). */
public final class Jwts implements AutoCloseable {

  public static final String SECRET = "test-secret-0123456789abcdef0123456789";

  private final Vertx vertx = Vertx.vertx();
  public final KeyPair rsa = generateRsa();
  private final JWTAuth hs256;
  private final JWTAuth rs256;

  private final String keyId;

  public Jwts() {
    this(SECRET, "test-key");
  }

  private Jwts(String secret, String keyId) {
    this.keyId = keyId;
    hs256 = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    rs256 = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setId(keyId).setBuffer(privatePem())));
  }

  /** A fresh RSA key pair whose tokens and JWKS carry {@code keyId} as their {@code kid}. */
  public static Jwts withKeyId(String keyId) {
    return new Jwts(SECRET, keyId);
  }

  /** Claims that pass with {@code JWT_ISSUER=issuer-1}, {@code JWT_AUDIENCE=tokens}: sub, exp in an hour. */
  public static JsonObject claims(String subject) {
    return new JsonObject().put("sub", subject).put("iss", "issuer-1").put("aud", "tokens")
        .put("exp", System.currentTimeMillis() / 1000 + 3600);
  }

  public String hs256(JsonObject claims) {
    return hs256.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
  }

  public static String hs256(JsonObject claims, String secret) {
    try (Jwts other = new Jwts(secret, "test-key")) {
      return other.hs256(claims);
    }
  }

  public String rs256(JsonObject claims) {
    return rs256.generateToken(claims, new JWTOptions().setAlgorithm("RS256").setNoTimestamp(true));
  }

  /** An unsigned token ({@code alg: none}) with {@code claims}. */
  public static String unsigned(JsonObject claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + ".";
  }

  /** {@code token} with its payload replaced by {@code claims}, the signature kept. */
  public static String withPayload(String token, JsonObject claims) {
    String[] parts = token.split("\\.");
    return parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
  }

  public String publicPem() {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(rsa.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  public JsonObject jwks() {
    RSAPublicKey key = (RSAPublicKey) rsa.getPublic();
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return new JsonObject().put("keys", new JsonArray().add(new JsonObject()
        .put("kty", "RSA").put("kid", keyId).put("use", "sig").put("alg", "RS256")
        .put("n", b64.encodeToString(unsigned(key.getModulus().toByteArray())))
        .put("e", b64.encodeToString(unsigned(key.getPublicExponent().toByteArray())))));
  }

  private String privatePem() {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(rsa.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  private static byte[] unsigned(byte[] bigEndian) {
    return bigEndian.length > 1 && bigEndian[0] == 0 ? java.util.Arrays.copyOfRange(bigEndian, 1, bigEndian.length)
        : bigEndian;
  }

  private static KeyPair generateRsa() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    vertx.close();
  }
}
