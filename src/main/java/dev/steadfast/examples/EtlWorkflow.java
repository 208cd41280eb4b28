package dev.steadfast.examples;

import dev.steadfast.agent.AgentWorkflow;
import dev.steadfast.agent.AgentWorkflowStep;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEvent;
import java.util.List;

/** The ETL workflow with a progress type of its own (the third type parameter). */
@Workflow(name = "etl", binding = "ETL_WORKFLOW")
public class EtlWorkflow
    extends AgentWorkflow<TaskAgent, EtlWorkflow.Params, EtlWorkflow.PipelineProgress, Integer> {
  public record Params(List<String> tables) {}

  /** What each report says: the stage, records done of the total, the current table. */
  public record PipelineProgress(String stage, int recordsProcessed, int totalRecords,
      String currentTable) {}

  private static final int RECORDS_PER_TABLE = 100;

  @Override
  public Integer run(WorkflowEvent<Params> event,
      AgentWorkflowStep<TaskAgent, PipelineProgress> step) {
    List<String> tables = event.payload().tables();
    int total = tables.size() * RECORDS_PER_TABLE;
    int done = 0;
    for (String stage : List.of("extract", "transform", "load")) {
      for (String table : tables) {
        step.run(stage + " " + table, () -> RECORDS_PER_TABLE);
        done += RECORDS_PER_TABLE / 3;
        step.reportProgress(new PipelineProgress(stage, done, total, table));
      }
    }
    return total;
  }
}
