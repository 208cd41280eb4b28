package dev.steadfast.agent;

import java.time.Instant;

/**
 * What a workflow reported to its agent, as {@link Agent#onWorkflowCallback} sees it.
 *
 * @param type which report this is
 * @param workflowName the name or binding the agent started the workflow with
 * @param workflowId the instance id
 * @param timestamp when it was reported
 * @param value the progress, the result, the error message or the event, by type
 */
public record WorkflowCallback(
    Type type, String workflowName, String workflowId, Instant timestamp, Object value) {

  public enum Type {
    PROGRESS,
    COMPLETE,
    ERROR,
    EVENT
  }
}
