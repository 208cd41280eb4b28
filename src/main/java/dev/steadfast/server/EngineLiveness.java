package dev.steadfast.server;

import dev.steadfast.workflow.engine.WorkflowEngine;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive unless the engine is stuck: its scheduler or lease thread stopped ticking, or a journal
 * write has waited far longer than any database round trip should while the database answers.
 * An orchestrator restarts a server whose liveness is DOWN; an outage of the database is not a
 * reason to (readiness reports that), so it does not make this check fail.
 */
@Liveness
@ApplicationScoped
public class EngineLiveness implements HealthCheck {
  @Override
  public HealthCheckResponse call() {
    WorkflowEngine e = EngineBootstrap.runningEngine();
    var b = HealthCheckResponse.named("workflow-engine-live");
    if (e == null) {
      return b.up().withData("state", "starting").build();
    }
    String stuck = e.stuck();
    return stuck == null ? b.up().build() : b.down().withData("stuck", stuck).build();
  }
}
