package dev.steadfast.server;

import dev.steadfast.workflow.engine.WorkflowEngine;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the workflow engine has started (schema migrated, workflows registered) and the web
 * application serves ({@link StopWithTheApplication}), and while
 * it can reach its database: DOWN during an outage, so a load balancer sends no work meanwhile.
 *
 * <p>The health endpoints answer without a token, so by default they say no more than the
 * status: no server id, no workflow count, not the database's error (which can name hosts and
 * users). {@code steadfast.health.details=true} adds them, for a trusted network.
 */
@Readiness
@ApplicationScoped
public class EngineReadiness implements HealthCheck {
  private volatile Boolean details;

  private boolean details() {
    Boolean d = details;
    if (d == null) {
      d = ConfigProvider.getConfig().getOptionalValue("steadfast.health.details", Boolean.class)
          .orElse(false);
      details = d;
    }
    return d;
  }

  @Override
  public HealthCheckResponse call() {
    // read without calling into the startup bean: a check during start-up must not wait for it
    return response(EngineBootstrap.runningEngine(), StopWithTheApplication.serving(), details());
  }

  /**
   * The check's answer for an engine ({@code null}: not started) behind a web application that
   * serves or not yet.
   */
  static HealthCheckResponse response(WorkflowEngine e, boolean serving, boolean more) {
    var b = HealthCheckResponse.named("workflow-engine");
    if (e == null || !serving) {
      // the engine, or the web application in front of it, has not started yet
      return b.down().withData("reason", "starting").build();
    }
    if (more) {
      b.withData("server", e.serverId())
          .withData("workflows", e.registry().all().size())
          .withData("runningTurns", e.runningTurns());
    }
    if (!e.health().isUp()) {
      String since = java.time.Instant.ofEpochMilli(e.health().downSince()).toString();
      return b.down().withData("database", "unreachable since " + since
          + (more ? ": " + e.health().cause() : "")).build();
    }
    return b.up().withData("database", "reachable").build();
  }
}
