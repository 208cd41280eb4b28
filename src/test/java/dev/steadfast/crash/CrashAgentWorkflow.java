package dev.steadfast.crash;

import dev.steadfast.agent.AgentWorkflow;
import dev.steadfast.agent.AgentWorkflowStep;
import dev.steadfast.agent.DefaultProgress;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEvent;
import java.util.Map;

/**
 * Reports an event (a state change in the agent's callback), merges into the agent's state, then
 * holds in a long step, where AgentWorkflowCrashIT kills the server, and reports completion.
 */
@Workflow(name = "crash-agent-flow")
public class CrashAgentWorkflow
    extends AgentWorkflow<CrashAgent, Map<String, Object>, DefaultProgress, String> {
  @Override
  public String run(WorkflowEvent<Map<String, Object>> event,
      AgentWorkflowStep<CrashAgent, DefaultProgress> step) {
    String id = step.instanceId();
    step.sendEvent(Map.of("id", id));
    step.mergeAgentState(Map.of("m_" + id, "merged"));
    step.run("hold", () -> {
      CrashAgent.log("hold " + id);
      Thread.sleep(5_000);
      return 1;
    });
    step.reportComplete("ok " + id);
    return "ok " + id;
  }
}
