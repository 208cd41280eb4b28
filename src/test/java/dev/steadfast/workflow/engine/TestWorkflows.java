package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.Backoff;
import dev.steadfast.workflow.EventTimeoutException;
import dev.steadfast.workflow.NonRetryableError;
import dev.steadfast.workflow.ReceivedEvent;
import dev.steadfast.workflow.StepConfig;
import dev.steadfast.workflow.StepContext;
import dev.steadfast.workflow.StepFailedException;
import dev.steadfast.workflow.TypeRef;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Workflows the engine tests run. Each counts how often each of its steps really ran. */
public final class TestWorkflows {
  private TestWorkflows() {}

  /** Executions per "instanceId/step". */
  static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();
  /** Attempt numbers seen per "instanceId/step". */
  static final Map<String, List<Integer>> ATTEMPTS = new ConcurrentHashMap<>();

  static int ran(String instanceId, String step) {
    AtomicInteger n = RUNS.get(instanceId + "/" + step);
    return n == null ? 0 : n.get();
  }

  static void count(String instanceId, String step) {
    RUNS.computeIfAbsent(instanceId + "/" + step, k -> new AtomicInteger()).incrementAndGet();
    ATTEMPTS.computeIfAbsent(instanceId + "/" + step, k -> new CopyOnWriteArrayList<>())
        .add(StepContext.current().attempt());
  }

  public record Order(String customer, List<Item> items) {}

  public record Item(String sku, int quantity, double price) {}

  public record Receipt(String customer, double total, int lines) {}

  /** Sleeps for the milliseconds of its payload, then runs one step or none (payload < 0). */
  @Workflow(name = "nap")
  public static class NapWorkflow extends WorkflowEntrypoint<Long, String> {
    @Override
    public String run(WorkflowEvent<Long> event, WorkflowStep step) {
      step.sleep("nap", Duration.ofMillis(Math.abs(event.payload())));
      return event.payload() < 0 ? "rested" : step.run("after", () -> "done");
    }
  }

  /** Steps feeding each other, typed params, typed and generic results. */
  @Workflow(name = "orders", binding = "ORDER_WORKFLOW")
  public static class OrderWorkflow extends WorkflowEntrypoint<Order, Receipt> {
    @Override
    public Receipt run(WorkflowEvent<Order> event, WorkflowStep step) {
      String id = event.instanceId();
      List<Item> items = step.run("load items", new TypeRef<List<Item>>() {}, () -> {
        count(id, "load items");
        return event.payload().items();
      });
      double total = step.run("price", () -> {
        count(id, "price");
        return items.stream().mapToDouble(i -> i.quantity() * i.price()).sum();
      });
      step.sleep("cool down", Duration.ofMillis(150));
      Receipt receipt = step.run("receipt", () -> {
        count(id, "receipt");
        return new Receipt(event.payload().customer(), total, items.size());
      });
      return receipt;
    }
  }

  /** A step that fails {@code failures} times, then succeeds; the failures are retried. */
  public record FlakyParams(int failures, int limit, long delayMs, String backoff, boolean catchIt) {}

  @Workflow(name = "flaky")
  public static class FlakyWorkflow extends WorkflowEntrypoint<FlakyParams, String> {
    @Override
    public String run(WorkflowEvent<FlakyParams> event, WorkflowStep step) {
      FlakyParams p = event.payload();
      StepConfig cfg = StepConfig.retries(p.limit()).withDelay(Duration.ofMillis(p.delayMs()))
          .backoff(Backoff.fromWireName(p.backoff()));
      try {
        return step.run("call", cfg, () -> {
          count(event.instanceId(), "call");
          if (StepContext.current().attempt() <= p.failures()) {
            throw new IllegalStateException("boom " + StepContext.current().attempt());
          }
          return "ok after " + StepContext.current().attempt();
        });
      } catch (StepFailedException e) {
        if (!p.catchIt()) {
          throw e;
        }
        return step.run("fallback", () -> {
          count(event.instanceId(), "fallback");
          return "fallback after " + e.errorName() + ": " + e.getMessage();
        });
      }
    }
  }

  /** NonRetryableError: caught (instance completes) or not (instance errors). */
  @Workflow(name = "non-retryable")
  public static class NonRetryableWorkflow extends WorkflowEntrypoint<Boolean, String> {
    @Override
    public String run(WorkflowEvent<Boolean> event, WorkflowStep step) {
      try {
        step.run("fail", StepConfig.retries(5).delay("10 ms"), () -> {
          count(event.instanceId(), "fail");
          throw new NonRetryableError("card declined");
        });
      } catch (NonRetryableError e) {
        if (!event.payload()) {
          throw e;
        }
        step.sleep("nap", 50);
        return step.run("after", () -> "caught " + e.getMessage());
      }
      return "unreachable";
    }
  }

  /** An attempt that outlives its timeout. */
  public record SlowParams(int retries, int slowAttempts) {}

  @Workflow(name = "slow")
  public static class SlowWorkflow extends WorkflowEntrypoint<SlowParams, String> {
    @Override
    public String run(WorkflowEvent<SlowParams> event, WorkflowStep step) {
      return step.run("slow", StepConfig.retries(event.payload().retries()).delay("10 ms")
          .withTimeout(Duration.ofMillis(100)), () -> {
            count(event.instanceId(), "slow");
            if (StepContext.current().attempt() <= event.payload().slowAttempts()) {
              Thread.sleep(5_000);
            }
            return "fast at last";
          });
    }
  }

  /** Waits for approval; the timeout is caught. */
  public record ApprovalParams(long timeoutMs) {}

  public record Decision(boolean approved, String reason) {}

  @Workflow(name = "approval")
  public static class ApprovalWorkflow extends WorkflowEntrypoint<ApprovalParams, String> {
    @Override
    public String run(WorkflowEvent<ApprovalParams> event, WorkflowStep step) {
      step.run("prepare", () -> {
        count(event.instanceId(), "prepare");
        return 1;
      });
      try {
        ReceivedEvent<Decision> d = step.waitForEvent("approval", "approval",
            Duration.ofMillis(event.payload().timeoutMs()), Decision.class);
        return (d.payload().approved() ? "approved: " : "rejected: ") + d.payload().reason();
      } catch (EventTimeoutException e) {
        return step.run("escalate", () -> "timed out");
      }
    }
  }

  /** Receives three events of one type, in order. */
  @Workflow(name = "collector")
  public static class CollectorWorkflow extends WorkflowEntrypoint<Void, List<String>> {
    @Override
    public List<String> run(WorkflowEvent<Void> event, WorkflowStep step) {
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        got.add((String) step.waitForEvent("item " + i, "item", "1 minute").payload());
      }
      return got;
    }
  }

  /** A first wait that times out, then a second one of the same type. */
  @Workflow(name = "stale-waiter")
  public static class StaleWaiterWorkflow extends WorkflowEntrypoint<Void, String> {
    @Override
    public String run(WorkflowEvent<Void> event, WorkflowStep step) {
      String first;
      try {
        first = (String) step.waitForEvent("first", "ping", Duration.ofSeconds(1), String.class)
            .payload();
      } catch (EventTimeoutException e) {
        first = "timeout";
      }
      String second = step.waitForEvent("second", "ping", Duration.ofSeconds(30), String.class)
          .payload();
      return first + "," + second;
    }
  }

  /** A long step, then more steps: for pause, terminate and crash tests. */
  public record LongParams(long stepMillis, int steps) {}

  @Workflow(name = "long")
  public static class LongWorkflow extends WorkflowEntrypoint<LongParams, Integer> {
    @Override
    public Integer run(WorkflowEvent<LongParams> event, WorkflowStep step) {
      int sum = 0;
      for (int i = 1; i <= event.payload().steps(); i++) {
        String name = "step " + i;
        sum += step.run(name, StepConfig.retries(0), () -> {
          count(event.instanceId(), name);
          Thread.sleep(event.payload().stepMillis());
          return 1;
        });
      }
      return sum;
    }
  }

  /** N no-op steps in a loop: step limit and overhead. */
  @Workflow(name = "many-steps")
  public static class ManyStepsWorkflow extends WorkflowEntrypoint<Integer, Integer> {
    @Override
    public Integer run(WorkflowEvent<Integer> event, WorkflowStep step) {
      int n = 0;
      for (int i = 0; i < event.payload(); i++) {
        n += step.run("step", () -> 1);
      }
      return n;
    }
  }

  /** Sleeps, then a step: restart-from tests. */
  @Workflow(name = "three-phase")
  public static class ThreePhaseWorkflow extends WorkflowEntrypoint<Void, String> {
    @Override
    public String run(WorkflowEvent<Void> event, WorkflowStep step) {
      String id = event.instanceId();
      String a = step.run("a", () -> {
        count(id, "a");
        return "A";
      });
      String b = step.run("b", () -> {
        count(id, "b");
        return "B";
      });
      String c = step.run("c", () -> {
        count(id, "c");
        return "C";
      });
      return a + b + c;
    }
  }

  /** Start ({@code [t, 0]}) and end ({@code [0, t]}) times of fan-out branches. */
  static final Map<String, List<long[]>> BRANCH_TIMES = new ConcurrentHashMap<>();

  /** Steps run concurrently and joined. */
  @Workflow(name = "fan-out")
  public static class FanOutWorkflow extends WorkflowEntrypoint<Integer, Integer> {
    @Override
    public Integer run(WorkflowEvent<Integer> event, WorkflowStep step) {
      List<Callable<Integer>> branches = new ArrayList<>();
      for (int i = 0; i < event.payload(); i++) {
        int n = i;
        branches.add(() -> step.run("branch " + n, () -> {
          count(event.instanceId(), "branch " + n);
          BRANCH_TIMES.computeIfAbsent(event.instanceId(), k -> new CopyOnWriteArrayList<>())
              .add(new long[] {System.nanoTime(), 0});
          Thread.sleep(300);
          BRANCH_TIMES.get(event.instanceId()).add(new long[] {0, System.nanoTime()});
          return n;
        }));
      }
      List<Integer> results = step.all(branches);
      return step.run("sum", () -> results.stream().mapToInt(Integer::intValue).sum());
    }
  }

  /** Instances some step of which is running right now, and any seen running twice at once. */
  static final java.util.Set<String> IN_FLIGHT = ConcurrentHashMap.newKeySet();
  static final java.util.Set<String> OVERLAPS = ConcurrentHashMap.newKeySet();

  /** Short steps and sleeps that note when two servers run one instance at once. */
  @Workflow(name = "exclusive")
  public static class ExclusiveWorkflow extends WorkflowEntrypoint<Integer, Integer> {
    @Override
    public Integer run(WorkflowEvent<Integer> event, WorkflowStep step) {
      String id = event.instanceId();
      int total = 0;
      for (int i = 0; i < event.payload(); i++) {
        String name = "work " + i;
        total += step.run(name, () -> {
          if (!IN_FLIGHT.add(id)) {
            OVERLAPS.add(id);
          }
          try {
            count(id, name);
            Thread.sleep(15);
          } finally {
            IN_FLIGHT.remove(id);
          }
          return 1;
        });
        step.sleep("pause " + i, 30);
      }
      return total;
    }
  }
}
