package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.NonRetryableError;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowStep;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Workflows of the batch, concurrency-limit, schedule and retention tests. */
public final class PolicyWorkflows {
  private PolicyWorkflows() {}

  /** Steps of "gated" instances running now, and the most seen at once. */
  static final AtomicInteger RUNNING = new AtomicInteger();
  static final AtomicInteger MAX_RUNNING = new AtomicInteger();
  /** Step events in the order they happened: "instanceId/step". */
  static final List<String> TRACE = new CopyOnWriteArrayList<>();
  /** Executions per "instanceId/step". */
  static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();
  /** The engine the self-deleting workflow reaches its client through. */
  static volatile WorkflowEngine engine;

  static void reset() {
    RUNNING.set(0);
    MAX_RUNNING.set(0);
    TRACE.clear();
    RUNS.clear();
  }

  static int ran(String instanceId, String step) {
    AtomicInteger n = RUNS.get(instanceId + "/" + step);
    return n == null ? 0 : n.get();
  }

  private static void count(String instanceId, String step) {
    RUNS.computeIfAbsent(instanceId + "/" + step, k -> new AtomicInteger()).incrementAndGet();
    TRACE.add(instanceId + "/" + step);
  }

  /** At most two at once: one step that holds its instance running for the given millis. */
  @Workflow(name = "gated", concurrencyLimit = 2)
  public static class GatedWorkflow extends WorkflowEntrypoint<Integer, String> {
    @Override
    public String run(WorkflowEvent<Integer> event, WorkflowStep step) {
      return step.run("work", () -> {
        int now = RUNNING.incrementAndGet();
        MAX_RUNNING.accumulateAndGet(now, Math::max);
        try {
          Thread.sleep(event.payload());
        } finally {
          RUNNING.decrementAndGet();
        }
        return event.instanceId();
      });
    }
  }

  /** One at a time, but a sleeping instance leaves its place to the next. */
  @Workflow(name = "napping", concurrencyLimit = 1)
  public static class NappingWorkflow extends WorkflowEntrypoint<Integer, String> {
    @Override
    public String run(WorkflowEvent<Integer> event, WorkflowStep step) {
      String id = event.instanceId();
      step.run("before", () -> {
        count(id, "before");
        return true;
      });
      step.sleep("nap", event.payload());
      step.run("after", () -> {
        count(id, "after");
        return true;
      });
      return id;
    }
  }

  /** The params a scheduled instance gets. */
  public record Tick(String cron, String scheduledTime) {}

  /** Started every five minutes. */
  @Workflow(name = "ticker", schedules = "*/5 * * * *")
  public static class TickerWorkflow extends WorkflowEntrypoint<Tick, String> {
    @Override
    public String run(WorkflowEvent<Tick> event, WorkflowStep step) {
      return step.run("tick", () -> {
        count(event.instanceId(), "tick");
        return event.payload().cron() + " at " + event.payload().scheduledTime();
      });
    }
  }

  /** Completes, or fails for good when its params say so. */
  @Workflow(name = "outcome")
  public static class OutcomeWorkflow extends WorkflowEntrypoint<Boolean, String> {
    @Override
    public String run(WorkflowEvent<Boolean> event, WorkflowStep step) {
      return step.run("decide", () -> {
        if (Boolean.TRUE.equals(event.payload())) {
          throw new NonRetryableError("told to fail");
        }
        return "done";
      });
    }
  }

  /** Kept 200 ms once complete (the annotation's retention), a day once errored. */
  @Workflow(name = "short-lived", successRetention = "200 ms", errorRetention = "1 day")
  public static class ShortLivedWorkflow extends WorkflowEntrypoint<Object, String> {
    @Override
    public String run(WorkflowEvent<Object> event, WorkflowStep step) {
      return step.run("only", () -> "done");
    }
  }

  /** Deletes itself in its second step; its third never runs. */
  @Workflow(name = "self-delete")
  public static class SelfDeletingWorkflow extends WorkflowEntrypoint<Object, String> {
    @Override
    public String run(WorkflowEvent<Object> event, WorkflowStep step) {
      String id = event.instanceId();
      step.run("first", () -> {
        count(id, "first");
        return true;
      });
      step.run("delete me", () -> {
        count(id, "delete me");
        engine.client("self-delete").deleteBatch(List.of(id));
        return true;
      });
      step.run("after", () -> {
        count(id, "after");
        return true;
      });
      return id;
    }
  }
}
