package dev.steadfast.examples;

import dev.steadfast.workflow.Rollback;
import dev.steadfast.workflow.StepConfig;
import dev.steadfast.workflow.TypeRef;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * A processing pipeline: list the work, process each item in its own step (names are
 * deterministic: {@code process item-1}, {@code process item-2}, ...), then summarize. A crash in
 * the middle resumes at the first unprocessed item. Each processed item has a compensation (see
 * docs/rollbacks.md) that discards its output again.
 */
@Workflow(name = "processing", binding = "PROCESSING_WORKFLOW")
public class ProcessingWorkflow
    extends WorkflowEntrypoint<ProcessingWorkflow.Params, ProcessingWorkflow.Summary> {
  private static final Logger LOG = Logger.getLogger(ProcessingWorkflow.class.getName());

  /** What to process. */
  public record Params(List<String> items, long millisPerItem) {}

  /** One processed item. */
  public record Result(String item, String output, int position) {}

  /** The instance's output. */
  public record Summary(int processed, List<Result> results) {}

  @Override
  public Summary run(WorkflowEvent<Params> event, WorkflowStep step) {
    List<String> items = step.run("list items", new TypeRef<List<String>>() {},
        () -> event.payload() == null || event.payload().items() == null
            ? List.of("alpha", "beta", "gamma") : List.copyOf(event.payload().items()));
    long pause = event.payload() == null ? 200 : event.payload().millisPerItem();
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String item = items.get(i);
      int position = i + 1;
      results.add(step.run("process item", StepConfig.retries(3).delay("1 second"), Result.class,
          () -> {
            Thread.sleep(pause);
            return new Result(item, item.toUpperCase(Locale.ROOT), position);
          },
          // terminated with rollback (wrangler ... terminate --rollback), an item's output is
          // discarded again, last processed first
          Rollback.of(ctx -> LOG.info("discarded the output of item " + ctx.count() + ": "
              + ctx.output())), null));
    }
    return step.run("summarize", Summary.class, () -> new Summary(results.size(), results));
  }
}
