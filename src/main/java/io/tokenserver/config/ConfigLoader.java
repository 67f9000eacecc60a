package io.tokenserver.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads the configuration layers, later layers winning:
 * {@code conf/config.json} → the file named by {@code CONFIG_FILE} → environment → system properties.
 * Plain file and map reads on the calling thread: the server's Vert.x is built from the result, so none
 * exists yet.
 *
 * <p>Each layer is read on its own for two reasons: {@code CONFIG_FILE} is itself named by the environment
 * or a system property, and {@code SERVER_PORT} is an alias of {@code PORT} that must only beat the
 * {@code PORT} of lower layers. Environment and system property values are raw strings (an all-digit id
 * keeps its leading zeros); only the keys the server knows are read from them.
 */
public final class ConfigLoader {

  static final String DEFAULTS_FILE = "conf/config.json";

  private ConfigLoader() {
  }

  /** Loads, merges and validates; {@code demo} forces demo mode (the {@code --demo} flag). */
  public static ServerConfig load(boolean demo) {
    return load(System.getenv(), System.getProperties(), demo);
  }

  static ServerConfig load(Map<String, String> environment, Properties systemProperties, boolean demo) {
    JsonObject envLayer = onlyKnownKeys(environment);
    JsonObject sysLayer = onlyKnownKeys(systemProperties);
    String configFile = sysLayer.getString("CONFIG_FILE", envLayer.getString("CONFIG_FILE"));
    JsonObject extraLayer = configFile == null || configFile.isBlank() ? new JsonObject() : read(Path.of(configFile));
    JsonObject merged = new JsonObject();
    for (JsonObject layer : List.of(defaults(), extraLayer, envLayer, sysLayer)) {
      merged.mergeIn(withPortAlias(layer));
    }
    if (demo) {
      merged.put("DEMO", true);
    }
    return ServerConfig.from(withDemoCredentials(merged));
  }

  /** {@code conf/config.json} of the working directory, else the one built into the jar. */
  private static JsonObject defaults() {
    Path file = Path.of(DEFAULTS_FILE);
    return Files.isRegularFile(file) ? read(file) : ServerConfig.shippedDefaults();
  }

  private static JsonObject read(Path file) {
    try {
      return new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(file.toString(), reason(e));
    }
  }

  /**
   * Why a layer could not be read, without the parser's message: that quotes the text around the error,
   * which may be a secret's value.
   */
  static String reason(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof JsonProcessingException json && json.getLocation() != null) {
        return "is not valid JSON (line " + json.getLocation().getLineNr() + ", column "
            + json.getLocation().getColumnNr() + ")";
      }
      if (cause instanceof NoSuchFileException) {
        return "cannot be read: no such file";
      }
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof DecodeException || cause instanceof ClassCastException) {
        return "is not valid JSON";
      }
    }
    return "cannot be read (" + failure.getClass().getSimpleName() + ")";
  }

  private static JsonObject onlyKnownKeys(Map<?, ?> layer) {
    JsonObject known = new JsonObject();
    layer.forEach((key, value) -> {
      if (ServerConfig.KEYS.contains(String.valueOf(key))) {
        known.put(String.valueOf(key), String.valueOf(value));
      }
    });
    return known;
  }

  private static JsonObject withPortAlias(JsonObject layer) {
    if (layer.containsKey("SERVER_PORT") && !layer.containsKey("PORT")) {
      return layer.copy().put("PORT", layer.getValue("SERVER_PORT"));
    }
    return layer;
  }

  /**
   * Demo mode fills in a random pair so a newcomer sees tokens without an Agora account. Given credentials
   * win, and then the server is not in demo mode: {@code DEMO} ends up true only when the pair is random.
   */
  private static JsonObject withDemoCredentials(JsonObject merged) {
    boolean demo = "true".equalsIgnoreCase(String.valueOf(merged.getValue("DEMO")));
    boolean missing = isBlank(merged.getValue("APP_ID")) && isBlank(merged.getValue("APP_ID_FILE"))
        || isBlank(merged.getValue("APP_CERTIFICATE")) && isBlank(merged.getValue("APP_CERTIFICATE_FILE"));
    if (demo && missing) {
      return merged.put("APP_ID", randomHex32()).put("APP_CERTIFICATE", randomHex32());
    }
    return merged.put("DEMO", false);
  }

  private static boolean isBlank(Object value) {
    return value == null || value.toString().isBlank();
  }

  private static String randomHex32() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
