package dev.steadfast.agent;

/**
 * Thrown by {@link AgentWorkflow#waitForApproval} when the agent rejected the workflow
 * ({@link Agent#rejectWorkflow}). Its message is {@code "Workflow rejected: <reason>"}; escaping
 * {@code run}, it fails the instance, and the agent hears of the rejection once.
 */
public class WorkflowRejectedError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String reason;

  public WorkflowRejectedError(String reason) {
    super("Workflow rejected: " + (reason == null ? "no reason given" : reason));
    this.reason = reason;
  }

  /** The reason the agent gave, or null. */
  public String reason() {
    return reason;
  }
}
