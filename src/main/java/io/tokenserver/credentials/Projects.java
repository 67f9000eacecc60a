package io.tokenserver.credentials;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.tokenserver.config.ProjectsConfig;
import io.tokenserver.token.AccessToken2Minter;
import io.tokenserver.token.TokenMinter;
import io.vertx.core.Vertx;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The Agora projects the server signs for, at run time: each one's credentials in force (rotated from its
 * own files) and the minter that signs with them. One project, {@code default}, unless {@code APPS_FILE}
 * names several.
 */
public final class Projects {

  /** One project: its name (a configured, bounded value), its credentials in force and its minter. */
  public record Project(String name, CredentialsHolder credentials, TokenMinter minter) {
  }

  private final Map<String, Project> byName;
  private final String defaultProject;
  private final ProjectsConfig config;
  /** Of each project whose credentials come from files. */
  private final Map<String, CredentialReloads> reloads = new LinkedHashMap<>();

  private Projects(Map<String, Project> byName, String defaultProject, ProjectsConfig config) {
    this.byName = java.util.Collections.unmodifiableMap(byName);
    this.defaultProject = defaultProject;
    this.config = config;
    config.projects().forEach((name, project) -> {
      if (project.files().watching() && byName.containsKey(name)) {
        reloads.put(name, new CredentialReloads(name));
      }
    });
  }

  /** The configured projects, each signing with {@link AccessToken2Minter} and its own credentials. */
  public static Projects of(ProjectsConfig config) {
    Map<String, Project> projects = new LinkedHashMap<>();
    config.projects().forEach((name, project) -> {
      CredentialsHolder credentials = new CredentialsHolder(project.credentials());
      projects.put(name, new Project(name, credentials, new AccessToken2Minter(credentials)));
    });
    return new Projects(projects, config.defaultProject(), config);
  }

  /** The single project {@code default}, signing with {@code minter} (tests pass gated or counting minters). */
  public static Projects single(ProjectsConfig config, TokenMinter minter) {
    ProjectsConfig.Project only = config.projects().get(ProjectsConfig.SINGLE);
    if (only == null) {
      throw new IllegalArgumentException("a single minter serves only the project " + ProjectsConfig.SINGLE);
    }
    Project project = new Project(only.name(), new CredentialsHolder(only.credentials()), minter);
    return new Projects(Map.of(project.name(), project), ProjectsConfig.SINGLE, config);
  }

  /** The project named {@code name}, or null when none is configured by that name. */
  public Project get(String name) {
    return name == null ? null : byName.get(name);
  }

  /** The project of a request that names none while its caller may use several; null when there is none. */
  public Project defaultProject() {
    return get(defaultProject);
  }

  public Set<String> names() {
    return byName.keySet();
  }

  public Collection<Project> all() {
    return byName.values();
  }

  /** The project whose credentials in force, or previous ones, have {@code appId}; null when none. */
  public Project byAppId(String appId) {
    for (Project project : byName.values()) {
      CredentialsHolder credentials = project.credentials();
      if (credentials.get().appId().equalsIgnoreCase(appId)
          || credentials.previous() != null && credentials.previous().appId().equalsIgnoreCase(appId)) {
        return project;
      }
    }
    return null;
  }

  /** Polls each project's credential files, when it has any, and puts new valid values in force. */
  public void watch(Vertx vertx) {
    reloads.forEach((name, counts) -> CredentialFileWatcher.start(vertx, name, config.projects().get(name).files(),
        byName.get(name).credentials(), counts));
  }

  /** The reload counters of the projects whose credentials come from files. */
  public MeterBinder reloadMeters() {
    return registry -> reloads.values().forEach(counts -> counts.bindTo(registry));
  }
}
