package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.NonRetryableError;
import dev.steadfast.workflow.StepConfig;
import dev.steadfast.workflow.StepContext;
import dev.steadfast.workflow.StepFailedException;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowStep;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Workflows that misbehave the way the lifecycle-fault tests need. */
public final class FaultWorkflows {
  private FaultWorkflows() {}

  /** Executions per "instanceId/what". */
  static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();
  /** Wall-clock start times of step executions per instance id. */
  static final Map<String, List<Long>> STARTS = new ConcurrentHashMap<>();

  static int count(String instanceId, String what) {
    return RUNS.computeIfAbsent(instanceId + "/" + what, k -> new AtomicInteger())
        .incrementAndGet();
  }

  static int ran(String instanceId, String what) {
    AtomicInteger n = RUNS.get(instanceId + "/" + what);
    return n == null ? 0 : n.get();
  }

  /** A step that never ends by itself (its server dies under it); run catches its failure. */
  @Workflow(name = "poison")
  public static class PoisonWorkflow extends WorkflowEntrypoint<Void, String> {
    @Override
    public String run(WorkflowEvent<Void> event, WorkflowStep step) {
      try {
        return step.run("hang", () -> {
          count(event.instanceId(), "hang");
          Thread.sleep(60_000);
          return "ended";
        });
      } catch (StepFailedException e) {
        return "caught " + e.errorName();
      }
    }
  }

  /** Fails with an error name of {@code length} characters and a huge message with a NUL. */
  @Workflow(name = "long-error")
  public static class LongErrorWorkflow extends WorkflowEntrypoint<Integer, String> {
    @Override
    public String run(WorkflowEvent<Integer> event, WorkflowStep step) {
      return step.run("fail", () -> {
        count(event.instanceId(), "fail");
        throw new NonRetryableError("x\0y" + "m".repeat(100_000), "E".repeat(event.payload()));
      });
    }
  }

  /** A step that fails once with a message, retried at once. */
  @Workflow(name = "fails-once")
  public static class FailsOnceWorkflow extends WorkflowEntrypoint<Void, String> {
    @Override
    public String run(WorkflowEvent<Void> event, WorkflowStep step) {
      return step.run("flaky", StepConfig.retries(3).delay("10 ms"), () -> {
        if (count(event.instanceId(), "flaky") == 1) {
          throw new IllegalStateException("a message longer than its column: " + "z".repeat(50));
        }
        return "ok";
      });
    }
  }

  /** Its step runs out of memory at attempt 1 (retries 0: a failure would end it). */
  @Workflow(name = "oom-once")
  public static class OomOnceWorkflow extends WorkflowEntrypoint<Void, String> {
    @Override
    public String run(WorkflowEvent<Void> event, WorkflowStep step) {
      return step.run("allocate", StepConfig.retries(0), () -> {
        if (count(event.instanceId(), "allocate") == 1) {
          throw new OutOfMemoryError("Java heap space (simulated)");
        }
        return "attempt " + StepContext.current().attempt();
      });
    }
  }

  /** Its step always runs out of memory. */
  @Workflow(name = "oom-always")
  public static class OomAlwaysWorkflow extends WorkflowEntrypoint<Void, String> {
    @Override
    public String run(WorkflowEvent<Void> event, WorkflowStep step) {
      return step.run("allocate", () -> {
        count(event.instanceId(), "allocate");
        throw new OutOfMemoryError("Java heap space (simulated)");
      });
    }
  }

  /** run itself hits a class missing (as in a redeploy) in its first two turns. */
  @Workflow(name = "linkage")
  public static class LinkageWorkflow extends WorkflowEntrypoint<Void, String> {
    @Override
    public String run(WorkflowEvent<Void> event, WorkflowStep step) {
      String a = step.run("a", () -> "a");
      if (count(event.instanceId(), "run") <= 2) {
        throw new NoClassDefFoundError("com/example/Gone (simulated)");
      }
      return a + "b";
    }
  }

  /** A step that ignores interrupts for {@code millis}: it outlives a shutdown. */
  @Workflow(name = "stubborn")
  public static class StubbornWorkflow extends WorkflowEntrypoint<Long, String> {
    @Override
    public String run(WorkflowEvent<Long> event, WorkflowStep step) {
      return step.run("busy", () -> {
        STARTS.computeIfAbsent(event.instanceId(), k -> new CopyOnWriteArrayList<>())
            .add(System.currentTimeMillis());
        long end = System.currentTimeMillis() + event.payload();
        while (System.currentTimeMillis() < end) {
          try {
            Thread.sleep(10);
          } catch (InterruptedException ignored) {
            // deliberately deaf to interrupts
          }
        }
        return "done";
      });
    }
  }

  /** A step that sleeps (interruptible) for {@code millis}. */
  @Workflow(name = "polite")
  public static class PoliteWorkflow extends WorkflowEntrypoint<Long, String> {
    @Override
    public String run(WorkflowEvent<Long> event, WorkflowStep step) {
      return step.run("nap", () -> {
        STARTS.computeIfAbsent(event.instanceId(), k -> new CopyOnWriteArrayList<>())
            .add(System.currentTimeMillis());
        Thread.sleep(event.payload());
        return "done";
      });
    }
  }
}
