package dev.steadfast.server;

import dev.steadfast.workflow.engine.WorkflowEngine;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the workflow engine has started (schema migrated, workflows registered), and while
 * it can reach its database: DOWN during an outage, so a load balancer sends no work meanwhile.
 */
@Readiness
@ApplicationScoped
public class EngineReadiness implements HealthCheck {
  @Override
  public HealthCheckResponse call() {
    // read without calling into the startup bean: a check during start-up must not wait for it
    WorkflowEngine e = EngineBootstrap.runningEngine();
    var b = HealthCheckResponse.named("workflow-engine");
    if (e == null) {
      return b.down().withData("reason", "starting").build();
    }
    b.withData("server", e.serverId())
        .withData("workflows", e.registry().all().size())
        .withData("runningTurns", e.runningTurns());
    if (!e.health().isUp()) {
      return b.down().withData("database", "unreachable since "
          + java.time.Instant.ofEpochMilli(e.health().downSince()) + ": " + e.health().cause())
          .build();
    }
    return b.up().withData("database", "reachable").build();
  }
}
