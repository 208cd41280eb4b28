package dev.steadfast.server;

import dev.steadfast.workflow.Backoff;
import dev.steadfast.workflow.ReceivedEvent;
import dev.steadfast.workflow.StepConfig;
import dev.steadfast.workflow.StepContext;
import dev.steadfast.workflow.TypeRef;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowStep;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;

/**
 * The workflow {@link EngineInServerIT} runs in the server: an injected bean, typed and generic
 * step results, a step that fails before it succeeds, a short sleep and an event. The output
 * reports the classes the journaled results had on the last replay.
 */
@Workflow(name = "it-order", binding = "IT_ORDER_WORKFLOW")
public class ServerTestWorkflow
    extends WorkflowEntrypoint<ServerTestWorkflow.Params, ServerTestWorkflow.Result> {

  public record Params(String customer, int failures, long sleepMillis) {}

  public record Quote(String customer, long cents) {}

  public record Approval(String by) {}

  public record Result(String greeting, Quote quote, String quoteClass, String listElementClass,
      int succeededOnAttempt, String approvedBy) {}

  @Inject Greeter greeter;

  @Override
  public Result run(WorkflowEvent<Params> event, WorkflowStep step) {
    Params p = event.payload();
    String greeting = step.run("greet", () -> greeter.greet(p.customer()));
    // no type given: the result comes back as the class it had when first computed
    Quote quote = step.run("quote", () -> new Quote(p.customer(), 4200));
    List<Quote> history = step.run("history", new TypeRef<List<Quote>>() {},
        () -> List.of(new Quote(p.customer(), 100), new Quote(p.customer(), 200)));
    int attempt = step.run("flaky call",
        StepConfig.retries(3).delay("200 ms").backoff(Backoff.CONSTANT), Integer.class, () -> {
          int a = StepContext.current().attempt();
          if (a <= p.failures()) {
            throw new IllegalStateException("attempt " + a + " fails on purpose");
          }
          return a;
        });
    step.sleep("nap", Duration.ofMillis(p.sleepMillis()));
    ReceivedEvent<Approval> approval =
        step.waitForEvent("approval", "approval", Duration.ofMinutes(2), Approval.class);
    return new Result(greeting, quote, quote.getClass().getName(),
        history.get(0).getClass().getName(), attempt, approval.payload().by());
  }
}
