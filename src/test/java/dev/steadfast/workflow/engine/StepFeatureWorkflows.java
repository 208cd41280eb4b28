package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.NonRetryableError;
import dev.steadfast.workflow.ReceivedEvent;
import dev.steadfast.workflow.StepConfig;
import dev.steadfast.workflow.StepFailedException;
import dev.steadfast.workflow.StepResultTooLargeException;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowStep;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** Workflows of the step features of {@link StepFeaturesContract}. */
public final class StepFeatureWorkflows {
  private StepFeatureWorkflows() {}

  /** Executions per "instanceId/what". */
  static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();
  /** Calls of the retry delay function per instance: "attempt:message". */
  static final Map<String, List<String>> DELAY_CALLS = new ConcurrentHashMap<>();
  /** The order in which instances of "ordered" ran their step, across instances. */
  static final List<String> ORDER = new CopyOnWriteArrayList<>();
  /** Holds the step of "gate" until released. */
  static volatile CountDownLatch gate = new CountDownLatch(0);

  static int ran(String id, String what) {
    AtomicInteger n = RUNS.get(id + "/" + what);
    return n == null ? 0 : n.get();
  }

  static int count(String id, String what) {
    return RUNS.computeIfAbsent(id + "/" + what, k -> new AtomicInteger()).incrementAndGet();
  }

  /** A public exception with a (String) constructor: rebuilt on replay. */
  public static class PaymentDeclined extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PaymentDeclined(String message) {
      super(message);
    }
  }

  /** A public exception without a usable constructor: only its class name is known on replay. */
  public static class CodedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CodedFailure(int code) {
      super("failure " + code);
    }
  }

  /** A sensitive step whose value the run uses after a sleep (so it comes from the journal). */
  @Workflow(name = "secretive")
  public static class SecretiveWorkflow extends WorkflowEntrypoint<Object, String> {
    @Override
    public String run(WorkflowEvent<Object> event, WorkflowStep step) {
      String id = event.instanceId();
      String token = step.run("token", StepConfig.retries(1).asSensitive(), () -> {
        count(id, "token");
        return "s3cret-" + id;
      });
      String plain = step.run("plain", () -> "visible");
      step.sleep("nap", Duration.ofMillis(20));
      return plain + " " + token;
    }
  }

  /** A step whose retry delays come from a function of the attempt and the error. */
  @Workflow(name = "custom-delay")
  public static class CustomDelayWorkflow extends WorkflowEntrypoint<Integer, String> {
    @Override
    public String run(WorkflowEvent<Integer> event, WorkflowStep step) {
      String id = event.instanceId();
      int delayMillis = event.payload();
      return step.run("flaky", StepConfig.retries(3).delay((attempt, error) -> {
        DELAY_CALLS.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>())
            .add(attempt + ":" + error.getMessage());
        return Duration.ofMillis(delayMillis * attempt);
      }), () -> {
        int n = count(id, "flaky");
        if (n < 3) {
          throw new IllegalStateException("boom-" + n);
        }
        return "ok after " + n;
      });
    }
  }

  /** At most three do steps per run; runs as many as its params say. */
  @Workflow(name = "capped", stepLimit = 3)
  public static class CappedWorkflow extends WorkflowEntrypoint<Integer, Integer> {
    @Override
    public Integer run(WorkflowEvent<Integer> event, WorkflowStep step) {
      int sum = 0;
      for (int i = 0; i < event.payload(); i++) {
        int k = i;
        sum += step.run("step", () -> k);
      }
      return sum;
    }
  }

  /** Declares a step limit over the maximum: refused when registered. */
  @Workflow(name = "too-many", stepLimit = 25_001)
  public static class TooManyWorkflow extends WorkflowEntrypoint<Object, Object> {
    @Override
    public Object run(WorkflowEvent<Object> event, WorkflowStep step) {
      return null;
    }
  }

  /** Steps of every kind, each kind twice, to restart from. */
  @Workflow(name = "phases")
  public static class PhasesWorkflow extends WorkflowEntrypoint<Object, String> {
    @Override
    public String run(WorkflowEvent<Object> event, WorkflowStep step) {
      String id = event.instanceId();
      step.run("a", () -> count(id, "a"));
      step.sleep("nap", Duration.ofMillis(5));
      step.run("b", () -> count(id, "b"));
      step.sleep("nap", Duration.ofMillis(5));
      ReceivedEvent<Object> go = step.waitForEvent("approval", "go", "1 hour");
      step.run("c", () -> count(id, "c"));
      return "approved " + go.payload();
    }
  }

  /** A step returning more than 1 MiB, caught by the run, then a sleep so the catch replays. */
  @Workflow(name = "oversized")
  public static class OversizedWorkflow extends WorkflowEntrypoint<Object, String> {
    @Override
    public String run(WorkflowEvent<Object> event, WorkflowStep step) {
      String id = event.instanceId();
      String outcome;
      try {
        step.run("huge", () -> {
          count(id, "huge");
          return "x".repeat(1_100_000);
        });
        outcome = "stored";
      } catch (StepFailedException e) {
        outcome = e.errorName() + "/" + e.isCausedBy(StepResultTooLargeException.class);
      }
      step.sleep("nap", Duration.ofMillis(10));
      return outcome;
    }
  }

  /** Failed steps caught by the type of their cause, before and after a replay. */
  @Workflow(name = "declines")
  public static class DeclinesWorkflow extends WorkflowEntrypoint<Object, String> {
    @Override
    public String run(WorkflowEvent<Object> event, WorkflowStep step) {
      String first;
      try {
        step.run("charge", StepConfig.retries(0), () -> {
          throw new PaymentDeclined("card 42 declined");
        });
        first = "charged";
      } catch (StepFailedException e) {
        first = e.getCause() instanceof PaymentDeclined p ? "declined: " + p.getMessage()
            : "other: " + e.getCause();
      }
      String second;
      try {
        step.run("coded", StepConfig.retries(0), () -> {
          throw new CodedFailure(7);
        });
        second = "fine";
      } catch (StepFailedException e) {
        second = e.isCausedBy(CodedFailure.class) + " " + e.errorClass().endsWith("CodedFailure");
      }
      step.sleep("nap", Duration.ofMillis(10));
      return first + " | " + second;
    }
  }

  /**
   * A race a slow branch would win on replay if the winner were not journaled: branch "b" wins
   * the first time, and its body delays itself whenever it runs again.
   */
  @Workflow(name = "racer")
  public static class RacerWorkflow extends WorkflowEntrypoint<Object, String> {
    @Override
    public String run(WorkflowEvent<Object> event, WorkflowStep step) {
      String id = event.instanceId();
      String winner = step.race("first", List.of(
          () -> {
            String a = step.run("a", () -> {
              count(id, "a");
              Thread.sleep(150);
              return "A";
            });
            step.run("a after", () -> count(id, "a after"));
            return a;
          },
          () -> {
            if (count(id, "b body") > 1) {
              Thread.sleep(400); // a replay that re-ran the race would let "a" win
            }
            return step.run("b", () -> "B");
          }));
      step.sleep("nap", Duration.ofMillis(10));
      String any = step.any("any", List.of(
          () -> step.run("refused", StepConfig.retries(0), () -> {
            throw new NonRetryableError("no");
          }),
          () -> step.run("accepted", () -> "yes")));
      String none;
      try {
        step.any("none", List.<java.util.concurrent.Callable<String>>of(
            () -> {
              throw new IllegalStateException("first");
            },
            () -> {
              throw new IllegalStateException("second");
            }));
        none = "?";
      } catch (StepFailedException e) {
        none = e.errorName();
      }
      return winner + " " + any + " " + none;
    }
  }

  /** Sleeps briefly, then records that it ran. */
  @Workflow(name = "sleeper")
  public static class SleeperWorkflow extends WorkflowEntrypoint<Integer, String> {
    @Override
    public String run(WorkflowEvent<Integer> event, WorkflowStep step) {
      step.sleep("nap", Duration.ofMillis(event.payload()));
      step.run("mark", () -> ORDER.add("woke " + event.instanceId()));
      return "ok";
    }
  }

  /** Records that it ran. */
  @Workflow(name = "newcomer")
  public static class NewcomerWorkflow extends WorkflowEntrypoint<Object, String> {
    @Override
    public String run(WorkflowEvent<Object> event, WorkflowStep step) {
      step.run("mark", () -> ORDER.add("new " + event.instanceId()));
      return "ok";
    }
  }

  /** Holds a worker until {@link #gate} opens. */
  @Workflow(name = "gate")
  public static class GateWorkflow extends WorkflowEntrypoint<Object, String> {
    @Override
    public String run(WorkflowEvent<Object> event, WorkflowStep step) {
      return step.run("hold", () -> {
        count(event.instanceId(), "hold");
        gate.await();
        return "opened";
      });
    }
  }
}
