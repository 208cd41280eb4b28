package dev.steadfast.agent;

import dev.steadfast.workflow.Retention;
import java.util.Map;

/**
 * Options of {@link Agent#runWorkflow(String, Object, RunWorkflowOptions)}.
 *
 * @param id the instance id (null: {@code wf_} and a random UUID)
 * @param metadata stored in the tracking row for queries, never passed to the workflow
 * @param agentBinding the agent class the workflow calls back (its kebab-case route name or
 *     class simple name); null: the calling agent's class
 * @param retention how long the instance is kept once it finished (the {@code retention} option
 *     of the agents SDK); null: the workflow's or the server's default
 */
public record RunWorkflowOptions(String id, Map<String, Object> metadata, String agentBinding,
    Retention retention) {
  public RunWorkflowOptions(String id, Map<String, Object> metadata, String agentBinding) {
    this(id, metadata, agentBinding, null);
  }

  public static RunWorkflowOptions withId(String id) {
    return new RunWorkflowOptions(id, null, null);
  }

  public static RunWorkflowOptions withMetadata(Map<String, Object> metadata) {
    return new RunWorkflowOptions(null, metadata, null);
  }

  /** These options, keeping the instance {@code retention} long once it finished. */
  public RunWorkflowOptions withRetention(Retention retention) {
    return new RunWorkflowOptions(id, metadata, agentBinding, retention);
  }
}
