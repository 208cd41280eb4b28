package dev.steadfast.server;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the workflow engine has started (schema migrated, workflows registered). */
@Readiness
@ApplicationScoped
public class EngineReadiness implements HealthCheck {
  @EJB EngineBootstrap bootstrap;

  @Override
  public HealthCheckResponse call() {
    boolean up = bootstrap.isStarted();
    var b = HealthCheckResponse.named("workflow-engine").status(up);
    if (up) {
      b.withData("server", bootstrap.engine().serverId())
          .withData("workflows", bootstrap.engine().registry().all().size())
          .withData("runningTurns", bootstrap.engine().runningTurns());
    }
    return b.build();
  }
}
