package dev.steadfast.examples;

import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowBinding;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.WorkflowStep;
import jakarta.inject.Inject;
import java.util.List;

/**
 * A workflow that starts another: the child's id is derived from the parent's, so a replay of
 * the step finds the child it already created instead of starting a second one. The parent then
 * polls the child durably (a sleep between checks holds no thread).
 */
@Workflow(name = "parent", binding = "PARENT_WORKFLOW")
public class ParentWorkflow extends WorkflowEntrypoint<List<String>, String> {

  @Inject
  @WorkflowBinding("PROCESSING_WORKFLOW")
  WorkflowClient<ProcessingWorkflow.Params> processing;

  public ParentWorkflow() {}

  /** For use without CDI. */
  public ParentWorkflow(WorkflowClient<ProcessingWorkflow.Params> processing) {
    this.processing = processing;
  }

  @Override
  public String run(WorkflowEvent<List<String>> event, WorkflowStep step) {
    String childId = step.run("start child", () -> {
      String id = event.instanceId() + "-child";
      try {
        processing.create(id, new ProcessingWorkflow.Params(event.payload(), 100));
      } catch (WorkflowException e) {
        if (e.reason() != WorkflowException.Reason.ALREADY_EXISTS) {
          throw e;
        }
      }
      return id;
    });
    for (int check = 1; check <= 60; check++) {
      String status = step.run("check child", () -> processing.get(childId).status().status()
          .wireName());
      if (Status.fromWireName(status).isFinished()) {
        return "child " + childId + " is " + status;
      }
      step.sleep("wait for child", "1 second");
    }
    return "child " + childId + " still running";
  }
}
