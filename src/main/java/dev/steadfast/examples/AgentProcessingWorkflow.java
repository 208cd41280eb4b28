package dev.steadfast.examples;

import dev.steadfast.agent.AgentWorkflow;
import dev.steadfast.agent.AgentWorkflowStep;
import dev.steadfast.agent.DefaultProgress;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEvent;
import java.util.Map;

/** Seed 000's processing workflow: process, report progress, save on the agent, broadcast. */
@Workflow(name = "agent-processing", binding = "AGENT_PROCESSING_WORKFLOW")
public class AgentProcessingWorkflow
    extends AgentWorkflow<TaskAgent, AgentProcessingWorkflow.Params, DefaultProgress, String> {
  public record Params(String taskId, String data) {}

  @Override
  public String run(WorkflowEvent<Params> event, AgentWorkflowStep<TaskAgent, DefaultProgress> step) {
    String result = step.run("process-data", () -> event.payload().data().toUpperCase());
    step.reportProgress(DefaultProgress.of("process", DefaultProgress.Status.complete,
        "processed", 0.5));
    step.run("save-results", () -> {
      step.agent().run(agent -> agent.saveResult(step.instanceId(), result));
      return true;
    });
    step.broadcastToClients(Map.of("type", "task-complete", "taskId", step.instanceId()));
    step.reportComplete(result);
    return result;
  }
}
