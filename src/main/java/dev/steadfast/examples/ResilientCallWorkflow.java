package dev.steadfast.examples;

import dev.steadfast.workflow.Backoff;
import dev.steadfast.workflow.NonRetryableError;
import dev.steadfast.workflow.StepConfig;
import dev.steadfast.workflow.StepContext;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowStep;

/**
 * A call to an unreliable service, retried with exponential back-off and a per-attempt timeout.
 * The simulated service fails its first {@code failures} attempts; a 4xx-style refusal is thrown
 * as a NonRetryableError and not retried.
 */
@Workflow(name = "resilient-call", binding = "RESILIENT_CALL_WORKFLOW")
public class ResilientCallWorkflow
    extends WorkflowEntrypoint<ResilientCallWorkflow.Params, String> {

  /** How the simulated service behaves. */
  public record Params(int failures, boolean refuse) {}

  @Override
  public String run(WorkflowEvent<Params> event, WorkflowStep step) {
    Params p = event.payload() == null ? new Params(2, false) : event.payload();
    StepConfig config = StepConfig.retries(5).delay("1 second").backoff(Backoff.EXPONENTIAL)
        .withTimeout("10 seconds");
    // a credential: recorded (a replay needs it) but shown as "[REDACTED]" outside the workflow
    String apiKey = step.run("load api key", StepConfig.sensitive(),
        () -> "sk_demo_" + Integer.toHexString(event.instanceId().hashCode()));
    return step.run("call payment service", config, () -> {
      int attempt = StepContext.current().attempt();
      if (apiKey.isEmpty()) {
        throw new NonRetryableError("no api key", "Unauthorized");
      }
      if (p.refuse()) {
        throw new NonRetryableError("payment refused: card expired", "PaymentRefused");
      }
      if (attempt <= p.failures()) {
        throw new java.io.IOException("service unavailable (attempt " + attempt + ")");
      }
      return "paid on attempt " + attempt;
    });
  }
}
