package io.tokenserver.config;

/** A configuration value is missing or invalid; the message names the key and is safe to print. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String key, String problem) {
    super(key + " " + problem);
  }
}
