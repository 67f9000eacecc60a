package io.tokenserver.http;

import io.tokenserver.credentials.Projects;
import io.tokenserver.inspect.Inspection;
import io.tokenserver.inspect.TokenInspector;
import io.tokenserver.token.AppCredentials;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /tokens/inspect} ({@code {"token": "…", "expiringWithinSeconds": N, "channel": "…", "user": "…"}}):
 * decodes a token, checks it against the certificates of the project whose app id it carries (the one in force
 * and the one before the last rotation), and names what would make a join fail (docs/troubleshooting.md). The
 * answer never holds a certificate.
 */
public final class InspectHandler implements Handler<RoutingContext> {

  /** A token of {@link TokenInspector#MAX_TOKEN_CHARS} and the other fields fit. */
  static final int MAX_BODY_BYTES = 8192;
  private static final int MAX_HINT_CHARS = 255;
  private static final int MAX_WITHIN_SECONDS = 86_400;

  private final Projects projects;
  private final Clock clock;

  public InspectHandler(Projects projects) {
    this(projects, Clock.systemUTC());
  }

  InspectHandler(Projects projects, Clock clock) {
    this.projects = projects;
    this.clock = clock;
  }

  /** The body limit of the route, then this handler. */
  static BodyHandler body() {
    return BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
  }

  @Override
  public void handle(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      body = null;
    }
    if (body == null) {
      Responses.error(ctx.response(), 400, "request body must be a JSON object");
      return;
    }
    if (!(body.getValue("token") instanceof String token) || token.isEmpty()) {
      Responses.error(ctx.response(), 400, "token is required: the token as the client passes it to the SDK");
      return;
    }
    Object within = body.getValue("expiringWithinSeconds", TokenInspector.DEFAULT_EXPIRING_WITHIN_SECONDS);
    if (!(within instanceof Integer seconds) || seconds < 0 || seconds > MAX_WITHIN_SECONDS) {
      Responses.error(ctx.response(), 400, "expiringWithinSeconds must be a whole number from 0 to "
          + MAX_WITHIN_SECONDS);
      return;
    }
    String channel = hint(body, "channel");
    String user = hint(body, "user");
    if (channel == null && body.getValue("channel") != null || user == null && body.getValue("user") != null) {
      Responses.error(ctx.response(), 400, "channel and user must be strings of at most " + MAX_HINT_CHARS
          + " characters");
      return;
    }
    Responses.json(ctx.response(), 200, new JsonObject(inspect(token, seconds, channel, user)).toBuffer());
  }

  private static String hint(JsonObject body, String field) {
    return body.getValue(field) instanceof String text && text.length() <= MAX_HINT_CHARS ? text : null;
  }

  /**
   * The inspection as JSON-ready values, with {@code project} naming the configured project whose app id the
   * token carries; a token of no configured project is checked against the default (or first) project.
   */
  public Map<String, Object> inspect(String token, int expiringWithinSeconds, String channel, String user) {
    Projects.Project project = projects.defaultProject() != null ? projects.defaultProject()
        : projects.all().iterator().next();
    Inspection inspection = inspector(project).inspect(token, expiringWithinSeconds, channel, user);
    Projects.Project owner = inspection.appId() == null ? null : projects.byAppId(inspection.appId());
    if (owner != null && owner != project) {
      inspection = inspector(owner).inspect(token, expiringWithinSeconds, channel, user);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    if (owner != null) {
      answer.put("project", owner.name());
    }
    answer.putAll(inspection.toMap());
    return answer;
  }

  private TokenInspector inspector(Projects.Project project) {
    AppCredentials current = project.credentials().get();
    AppCredentials previous = project.credentials().previous();
    return new TokenInspector(current, previous == null ? null : previous.appCertificate(), clock);
  }
}
