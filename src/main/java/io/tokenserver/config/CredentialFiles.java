package io.tokenserver.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code APP_ID_FILE} / {@code APP_CERTIFICATE_FILE}: credentials in mounted files (a Kubernetes Secret),
 * read at startup and polled every {@code reloadInterval} so a rotated value takes effect without a restart.
 */
public record CredentialFiles(Path appIdFile, Path appCertificateFile, Duration reloadInterval) {

  /** Files larger than this are not credentials; never read a huge file into memory. */
  static final long MAX_FILE_BYTES = 64 * 1024;

  public static CredentialFiles none() {
    return new CredentialFiles(null, null, Duration.ofSeconds(1));
  }

  /** True when at least one credential comes from a file and is therefore watched. */
  public boolean watching() {
    return appIdFile != null || appCertificateFile != null;
  }

  /** The trimmed UTF-8 content of a file of at most {@link #MAX_FILE_BYTES}: a credential, a key list, a PEM key. */
  public static String readSmall(Path file) throws IOException {
    if (Files.size(file) > MAX_FILE_BYTES) {
      throw new FileTooLargeException(file);
    }
    return Files.readString(file, StandardCharsets.UTF_8).trim();
  }

  static final class FileTooLargeException extends IOException {
    FileTooLargeException(Path file) {
      super("larger than " + MAX_FILE_BYTES + " bytes: " + file);
    }
  }

  static CredentialFiles from(ServerConfig.Reader in) {
    String appId = in.optionalText("APP_ID_FILE");
    String certificate = in.optionalText("APP_CERTIFICATE_FILE");
    int interval = in.integer("CREDENTIALS_RELOAD_INTERVAL_MS", 10, 3_600_000);
    return new CredentialFiles(appId == null ? null : Path.of(appId),
        certificate == null ? null : Path.of(certificate), Duration.ofMillis(interval));
  }

  /** The trimmed content of {@code file}; a {@link ConfigException} naming {@code key} if it cannot be read. */
  static String read(String key, Path file) {
    try {
      return readSmall(file);
    } catch (FileTooLargeException e) {
      throw new ConfigException(key, "names a file larger than " + MAX_FILE_BYTES + " bytes");
    } catch (IOException e) {
      // The exception names the path and the problem, never the content.
      throw new ConfigException(key, "cannot be read: " + e.getClass().getSimpleName() + " " + file);
    }
  }
}
