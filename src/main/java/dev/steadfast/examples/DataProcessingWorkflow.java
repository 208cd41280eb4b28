package dev.steadfast.examples;

import dev.steadfast.agent.AgentWorkflow;
import dev.steadfast.agent.AgentWorkflowStep;
import dev.steadfast.agent.DefaultProgress;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The data-processing loop: one durable step per item, progress after each. */
@Workflow(name = "data-processing", binding = "DATA_PROCESSING_WORKFLOW")
public class DataProcessingWorkflow extends
    AgentWorkflow<TaskAgent, DataProcessingWorkflow.Params, DefaultProgress, Map<String, Object>> {
  public record Params(List<String> items) {}

  @Override
  public Map<String, Object> run(WorkflowEvent<Params> event,
      AgentWorkflowStep<TaskAgent, DefaultProgress> step) throws InterruptedException {
    List<String> items = event.payload().items();
    for (int i = 0; i < items.size(); i++) {
      String item = items.get(i);
      step.run("process-" + i, () -> {
        Thread.sleep(200); // the stand-in for real work
        return item.length();
      });
      // "at": when this progress left the workflow, so a client can time its arrival on screen
      step.reportProgress(DefaultProgress.of("process-" + i, DefaultProgress.Status.complete,
          "Processed " + (i + 1) + "/" + items.size(), (i + 1) / (double) items.size())
          .put("at", epochMillis()));
    }
    Map<String, Object> result = Map.of("processed", items.size());
    step.reportComplete(result);
    return result;
  }

  /** The wall clock in milliseconds with its sub-millisecond part (a browser's clock is as fine). */
  static double epochMillis() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1000.0 + now.getNano() / 1_000_000.0;
  }
}
