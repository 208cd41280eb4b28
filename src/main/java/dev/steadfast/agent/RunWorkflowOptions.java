package dev.steadfast.agent;

import java.util.Map;

/**
 * Options of {@link Agent#runWorkflow(String, Object, RunWorkflowOptions)}.
 *
 * @param id the instance id (null: {@code wf_} and a random UUID)
 * @param metadata stored in the tracking row for queries, never passed to the workflow
 * @param agentBinding the agent class the workflow calls back (its kebab-case route name or
 *     class simple name); null: the calling agent's class
 */
public record RunWorkflowOptions(String id, Map<String, Object> metadata, String agentBinding) {
  public static RunWorkflowOptions withId(String id) {
    return new RunWorkflowOptions(id, null, null);
  }

  public static RunWorkflowOptions withMetadata(Map<String, Object> metadata) {
    return new RunWorkflowOptions(null, metadata, null);
  }
}
