package io.tokenserver.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.FileNotFoundException;
import java.nio.file.NoSuchFileException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads the configuration layers with vertx-config, later layers winning:
 * {@code conf/config.json} → the file named by {@code CONFIG_FILE} → environment → system properties.
 *
 * <p>Each layer is read on its own (not as one retriever) for two reasons: {@code CONFIG_FILE} is itself
 * named by the environment or a system property, and {@code SERVER_PORT} is an alias of {@code PORT}
 * that must only beat the {@code PORT} of lower layers.
 */
public final class ConfigLoader {

  static final String DEFAULTS_FILE = "conf/config.json";

  private ConfigLoader() {
  }

  /** Loads, merges and validates; {@code demo} forces demo mode (the {@code --demo} flag). */
  public static Future<ServerConfig> load(Vertx vertx, boolean demo) {
    JsonArray knownKeys = new JsonArray(List.copyOf(ServerConfig.KEYS));
    ConfigStoreOptions env = new ConfigStoreOptions().setType("env")
        .setConfig(new JsonObject().put("raw-data", true).put("keys", knownKeys));
    ConfigStoreOptions sys = new ConfigStoreOptions().setType("sys")
        .setConfig(new JsonObject().put("raw-data", true).put("cache", false));

    return read(vertx, env).compose(envLayer -> read(vertx, sys).compose(sysLayer -> {
      String configFile = sysLayer.getString("CONFIG_FILE", envLayer.getString("CONFIG_FILE"));
      Future<JsonObject> extraLayer = configFile == null || configFile.isBlank()
          ? Future.succeededFuture(new JsonObject())
          : read(vertx, file(configFile));
      return read(vertx, file(DEFAULTS_FILE)).compose(defaults -> extraLayer.map(extra -> {
        JsonObject merged = new JsonObject();
        for (JsonObject layer : List.of(defaults, extra, envLayer, onlyKnownKeys(sysLayer))) {
          merged.mergeIn(withPortAlias(layer));
        }
        if (demo) {
          merged.put("DEMO", true);
        }
        return ServerConfig.from(withDemoCredentials(merged));
      }));
    }));
  }

  private static ConfigStoreOptions file(String path) {
    return new ConfigStoreOptions().setType("file").setFormat("json")
        .setConfig(new JsonObject().put("path", path));
  }

  private static Future<JsonObject> read(Vertx vertx, ConfigStoreOptions store) {
    ConfigRetriever retriever = ConfigRetriever.create(vertx,
        new ConfigRetrieverOptions().setIncludeDefaultStores(false).setScanPeriod(-1).addStore(store));
    return retriever.getConfig()
        .recover(failure -> Future.failedFuture(new ConfigException(
            store.getConfig().getString("path", store.getType()), reason(failure))))
        .andThen(done -> retriever.close());
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
      if (cause instanceof NoSuchFileException || cause instanceof FileNotFoundException) {
        return "cannot be read: no such file";
      }
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof DecodeException) {
        return "is not valid JSON";
      }
    }
    return "cannot be read (" + failure.getClass().getSimpleName() + ")";
  }

  private static JsonObject onlyKnownKeys(JsonObject layer) {
    JsonObject known = new JsonObject();
    layer.forEach(entry -> {
      if (ServerConfig.KEYS.contains(entry.getKey())) {
        known.put(entry.getKey(), entry.getValue());
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
