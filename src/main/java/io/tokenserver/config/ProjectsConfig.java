package io.tokenserver.config;

import io.tokenserver.token.AppCredentials;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Agora projects the server signs for. Without {@code APPS_FILE} there is one, named {@code default},
 * from {@code APP_ID}/{@code APP_CERTIFICATE} (or their {@code _FILE} keys), as always. {@code APPS_FILE}
 * names a JSON file of several:
 * <pre>{"default": "eu", "projects": {"eu": {"APP_ID_FILE": "…", "APP_CERTIFICATE_FILE": "…"}, "us": {…}}}</pre>
 * Each project takes the same keys as the single one, so each rotates from its own files. Project names are
 * short and plain ({@link #NAME}): they become metric label values and path segments.
 *
 * @param projects by name, in the file's order
 * @param defaultProject the project of a request that names none while its caller may use several, or null
 */
public record ProjectsConfig(Map<String, Project> projects, String defaultProject) {

  public static final String SINGLE = "default";
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
  static final int MAX_PROJECTS = 64;

  /** One project: its credentials at startup, and the files (if any) they are re-read from. */
  public record Project(String name, AppCredentials credentials, CredentialFiles files) {
  }

  public ProjectsConfig {
    projects = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(projects));
  }

  /** True when {@code APPS_FILE} configures several projects (more than the implicit {@code default}). */
  public boolean several() {
    return projects.size() > 1 || !projects.containsKey(SINGLE);
  }

  /** The one project of today's keys. */
  static ProjectsConfig single(AppCredentials credentials, CredentialFiles files) {
    return new ProjectsConfig(Map.of(SINGLE, new Project(SINGLE, credentials, files)), SINGLE);
  }

  /** Reads and checks {@code APPS_FILE}; every problem is a {@link ConfigException} naming the project and key. */
  static ProjectsConfig fromFile(Path file, Duration reloadInterval) {
    JsonObject document;
    try {
      document = new JsonObject(CredentialFiles.read("APPS_FILE", file));
    } catch (DecodeException e) {
      throw new ConfigException("APPS_FILE", "is not a JSON object");
    }
    if (!(document.getValue("projects") instanceof JsonObject entries) || entries.isEmpty()) {
      throw new ConfigException("APPS_FILE", "must hold a non-empty \"projects\" object");
    }
    if (entries.size() > MAX_PROJECTS) {
      throw new ConfigException("APPS_FILE", "names more than " + MAX_PROJECTS + " projects");
    }
    Map<String, Project> projects = new LinkedHashMap<>();
    for (String name : entries.fieldNames()) {
      if (!NAME.matcher(name).matches()) {
        throw new ConfigException("APPS_FILE", "project names must be 1-32 of a-z 0-9 and -, starting with a letter or digit");
      }
      if (!(entries.getValue(name) instanceof JsonObject keys)) {
        throw new ConfigException("APPS_FILE", "project " + name + " must be an object of APP_ID(_FILE) and APP_CERTIFICATE(_FILE)");
      }
      projects.put(name, project(name, keys, reloadInterval));
    }
    String defaultProject = document.getString("default");
    if (defaultProject != null && !projects.containsKey(defaultProject)) {
      throw new ConfigException("APPS_FILE", "\"default\" must name one of its projects");
    }
    return new ProjectsConfig(projects, defaultProject);
  }

  private static Project project(String name, JsonObject keys, Duration reloadInterval) {
    ServerConfig.Reader in = new ServerConfig.Reader(keys);
    try {
      AppCredentials credentials = new AppCredentials(in.hex32OrFile("APP_ID", "APP_ID_FILE"),
          in.hex32OrFile("APP_CERTIFICATE", "APP_CERTIFICATE_FILE"));
      String appIdFile = in.optionalText("APP_ID_FILE");
      String certificateFile = in.optionalText("APP_CERTIFICATE_FILE");
      return new Project(name, credentials, new CredentialFiles(appIdFile == null ? null : Path.of(appIdFile),
          certificateFile == null ? null : Path.of(certificateFile), reloadInterval));
    } catch (ConfigException e) {
      throw new ConfigException("APPS_FILE", "project " + name + ": " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "ProjectsConfig" + projects.keySet();
  }
}
