package dev.steadfast.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.steadfast.examples.InvoiceWorkflow;
import dev.steadfast.workflow.testing.WorkflowTestEnvironment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Readiness: UP only with the engine running behind a web application that has started. */
class EngineReadinessTest {
  /** The API's builder needs an implementation, which the server brings; a plain one here. */
  @BeforeAll
  static void responses() {
    HealthCheckResponse.setResponseProvider(Builder::new);
  }

  static final class Builder extends HealthCheckResponseBuilder {
    private String name;
    private HealthCheckResponse.Status status = HealthCheckResponse.Status.UP;
    private final Map<String, Object> data = new LinkedHashMap<>();

    @Override public HealthCheckResponseBuilder name(String n) { name = n; return this; }
    @Override public HealthCheckResponseBuilder withData(String k, String v) { data.put(k, v); return this; }
    @Override public HealthCheckResponseBuilder withData(String k, long v) { data.put(k, v); return this; }
    @Override public HealthCheckResponseBuilder withData(String k, boolean v) { data.put(k, v); return this; }
    @Override public HealthCheckResponseBuilder up() { return status(true); }
    @Override public HealthCheckResponseBuilder down() { return status(false); }

    @Override
    public HealthCheckResponseBuilder status(boolean up) {
      status = up ? HealthCheckResponse.Status.UP : HealthCheckResponse.Status.DOWN;
      return this;
    }

    @Override
    public HealthCheckResponse build() {
      return new HealthCheckResponse(name, status,
          data.isEmpty() ? Optional.empty() : Optional.of(data));
    }
  }

  @Test
  void downUntilBothTheEngineAndTheWebApplicationHaveStarted() {
    try (var env = WorkflowTestEnvironment.builder().register(InvoiceWorkflow.class, InvoiceWorkflow::new).start()) {
      HealthCheckResponse none = EngineReadiness.response(null, true, false);
      assertEquals(HealthCheckResponse.Status.DOWN, none.getStatus());
      assertEquals("starting", none.getData().orElseThrow().get("reason"));

      // Payara Server starts the engine before the web application: not ready yet
      HealthCheckResponse engineOnly = EngineReadiness.response(env.engine(), false, false);
      assertEquals(HealthCheckResponse.Status.DOWN, engineOnly.getStatus());
      assertEquals("starting", engineOnly.getData().orElseThrow().get("reason"));

      HealthCheckResponse both = EngineReadiness.response(env.engine(), true, false);
      assertEquals(HealthCheckResponse.Status.UP, both.getStatus());
      assertEquals("workflow-engine", both.getName());
      assertEquals("reachable", both.getData().orElseThrow().get("database"));
    }
  }
}
