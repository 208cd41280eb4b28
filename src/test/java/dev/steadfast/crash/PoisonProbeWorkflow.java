package dev.steadfast.crash;

import dev.steadfast.workflow.StepContext;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowStep;

/**
 * A poison step: it halts the JVM (as the OOM killer or a native crash would), every time, after
 * logging "start id halt attempt" to probe.log.
 */
@Workflow(name = "poison-probe")
public class PoisonProbeWorkflow extends WorkflowEntrypoint<Void, String> {
  @Override
  public String run(WorkflowEvent<Void> event, WorkflowStep step) {
    return step.run("halt", () -> {
      CrashProbeWorkflow.log("start " + event.instanceId() + " halt "
          + StepContext.current().attempt());
      Thread.sleep(300);
      Runtime.getRuntime().halt(137);
      return "unreachable";
    });
  }
}
