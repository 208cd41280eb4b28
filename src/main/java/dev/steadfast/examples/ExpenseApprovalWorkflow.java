package dev.steadfast.examples;

import dev.steadfast.agent.AgentWorkflow;
import dev.steadfast.agent.AgentWorkflowStep;
import dev.steadfast.agent.DefaultProgress;
import dev.steadfast.workflow.EventTimeoutException;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEvent;
import java.time.Duration;
import java.util.Map;

/**
 * The approval flow: wait for a client's approve or reject through the agent; nobody deciding in
 * time escalates (counted in the agent's state, durably) and fails the request.
 */
@Workflow(name = "expense-approval", binding = "EXPENSE_APPROVAL_WORKFLOW")
public class ExpenseApprovalWorkflow
    extends AgentWorkflow<TaskAgent, ExpenseApprovalWorkflow.Params, DefaultProgress, String> {
  public record Params(String title, int amount, int timeoutSeconds) {}

  @Override
  public String run(WorkflowEvent<Params> event, AgentWorkflowStep<TaskAgent, DefaultProgress> step) {
    Params p = event.payload();
    step.reportProgress(DefaultProgress.of("approval", DefaultProgress.Status.pending,
        "Awaiting approval of " + p.title() + " (" + p.amount() + ")", 0.5));
    Map<?, ?> approval;
    try {
      approval = step.waitForApproval(Duration.ofSeconds(Math.max(1, p.timeoutSeconds())), Map.class);
    } catch (EventTimeoutException e) {
      int escalations = step.run("escalate", Integer.class,
          () -> step.agent().call(a -> a.state().escalations) + 1);
      step.mergeAgentState(Map.of("escalations", escalations));
      throw e; // reported to the agent once, and the instance fails
    }
    return step.run("execute", () -> "approved " + p.title() + " by "
        + (approval == null ? "?" : approval.get("approvedBy")));
  }
}
