package dev.steadfast.examples;

import dev.steadfast.workflow.EventTimeoutException;
import dev.steadfast.workflow.ReceivedEvent;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowStep;
import java.time.Duration;

/**
 * Human in the loop: prepare a request, wait (holding no thread) for an {@code approval} event,
 * then act on the decision. With no answer within the timeout the request is escalated.
 */
@Workflow(name = "approval", binding = "APPROVAL_WORKFLOW")
public class ApprovalWorkflow
    extends WorkflowEntrypoint<ApprovalWorkflow.Request, ApprovalWorkflow.Outcome> {

  /** What needs approving and how long to wait (e.g. "1 hour"; null: 24 hours). */
  public record Request(String title, double amount, String timeout) {}

  /** The event payload: {@code {"approved": true, "reason": "..."}}. */
  public record Decision(boolean approved, String reason) {}

  /** The instance's output. */
  public record Outcome(String title, String status, String reason) {}

  @Override
  public Outcome run(WorkflowEvent<Request> event, WorkflowStep step) {
    Request r = event.payload();
    String ticket = step.run("open ticket", () -> "ticket for " + r.title());
    Duration timeout = r.timeout() == null ? null
        : dev.steadfast.workflow.Durations.parse(r.timeout());
    try {
      ReceivedEvent<Decision> d = step.waitForEvent("wait for approval", "approval", timeout,
          Decision.class);
      if (d.payload() != null && d.payload().approved()) {
        step.run("execute", () -> "executed " + ticket);
        return new Outcome(r.title(), "approved", d.payload().reason());
      }
      return new Outcome(r.title(), "rejected", d.payload() == null ? null : d.payload().reason());
    } catch (EventTimeoutException e) {
      step.run("escalate", () -> "escalated " + ticket);
      return new Outcome(r.title(), "escalated", "no decision in time");
    }
  }
}
