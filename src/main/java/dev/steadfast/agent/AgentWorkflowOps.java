package dev.steadfast.agent;

import dev.steadfast.workflow.InstanceStatus;
import dev.steadfast.workflow.RestartFrom;

/**
 * The workflow side of one agent instance, implemented by the runtime; agent code uses the
 * methods of {@link Agent} ({@code runWorkflow}, {@code getWorkflows}, ...) that delegate here.
 */
public interface AgentWorkflowOps {
  String runWorkflow(String workflow, Object params, RunWorkflowOptions options);

  void sendWorkflowEvent(String workflowId, String type, Object payload);

  void terminate(String workflowId);

  void pause(String workflowId);

  void resume(String workflowId);

  void restart(String workflowId, RestartFrom from, boolean resetTracking);

  InstanceStatus status(String workflowId);

  TrackedWorkflow get(String workflowId);

  WorkflowPage list(WorkflowQuery query);

  boolean delete(String workflowId, boolean deleteInstance);

  int deleteAll(WorkflowQuery query, boolean deleteInstances);

  int migrateBinding(String oldName, String newName);
}
