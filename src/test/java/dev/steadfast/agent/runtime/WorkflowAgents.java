package dev.steadfast.agent.runtime;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.AgentWorkflow;
import dev.steadfast.agent.AgentWorkflowStep;
import dev.steadfast.agent.DefaultProgress;
import dev.steadfast.agent.WorkflowCallback;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** An agent and the workflows it starts, recording every callback, for AgentWorkflowTest. */
final class WorkflowAgents {
  /** Every callback any Boss instance received: "name type id value". */
  static final List<String> CALLBACKS = new CopyOnWriteArrayList<>();
  /** How often the body of the "work" step ran (a replay does not run it). */
  static final AtomicInteger WORK_RUNS = new AtomicInteger();
  /** What the Echo workflow saw as its payload. */
  static final List<Object> SEEN = new CopyOnWriteArrayList<>();

  /** Test seam: run once inside the next completion callback (then cleared). */
  static final java.util.concurrent.atomic.AtomicReference<Runnable> IN_NEXT_COMPLETION =
      new java.util.concurrent.atomic.AtomicReference<>();

  private WorkflowAgents() {}

  static void reset() {
    CALLBACKS.clear();
    WORK_RUNS.set(0);
    SEEN.clear();
  }

  static long count(String prefix) {
    return CALLBACKS.stream().filter(c -> c.startsWith(prefix)).count();
  }

  public static class BossState {
    public int events;
    public int completions;
    public String phase;
    public List<String> results = new ArrayList<>();
  }

  public static class Boss extends Agent<BossState> {
    @Override
    public BossState initialState() {
      return new BossState();
    }

    @Override
    public void onWorkflowCallback(WorkflowCallback cb) {
      CALLBACKS.add(name() + " " + cb.type() + " " + cb.workflowId() + " " + cb.value());
      super.onWorkflowCallback(cb);
    }

    /** Not idempotent on purpose: a repeated callback would show as a count of 2. */
    @Override
    public void onWorkflowEvent(String workflowName, String workflowId, Object event) {
      BossState s = copy();
      s.events++;
      setState(s);
    }

    @Override
    public void onWorkflowComplete(String workflowName, String workflowId, Object result) {
      BossState s = copy();
      s.completions++;
      s.results.add(workflowId + "=" + result);
      setState(s);
      Runnable once = IN_NEXT_COMPLETION.getAndSet(null);
      if (once != null) {
        once.run();
      }
    }

    public void saveResult(String result) {
      BossState s = copy();
      s.results.add("saved " + result);
      setState(s);
    }

    BossState copy() {
      BossState s = new BossState();
      s.events = state().events;
      s.completions = state().completions;
      s.phase = state().phase;
      s.results = new ArrayList<>(state().results);
      return s;
    }
  }

  /** Params of the Job workflow: what to do besides the work step. */
  public record Job(String label, boolean approval, boolean sleep, boolean fail,
      boolean event, boolean explicitComplete) {
    static Job plain(String label) {
      return new Job(label, false, false, false, false, true);
    }
  }

  @Workflow(name = "job", binding = "JOB_WORKFLOW")
  public static class JobWorkflow extends AgentWorkflow<Boss, Job, DefaultProgress, String> {
    @Override
    public String run(WorkflowEvent<Job> event, AgentWorkflowStep<Boss, DefaultProgress> step) {
      Job job = event.payload();
      String r = step.run("work", String.class, () -> {
        WORK_RUNS.incrementAndGet();
        return "done:" + job.label();
      });
      step.reportProgress(DefaultProgress.step("work", DefaultProgress.Status.complete, 0.5));
      step.mergeAgentState(Map.of("phase", "worked " + job.label()));
      if (job.event()) {
        step.sendEvent(Map.of("kind", "halfway"));
      }
      if (job.sleep()) {
        step.sleep("nap", Duration.ofMillis(300));
      }
      if (job.approval()) {
        step.waitForApproval(Duration.ofMinutes(5), Object.class);
      }
      if (job.fail()) {
        throw new IllegalStateException("boom " + job.label());
      }
      step.run("save", () -> {
        step.agent().run(a -> a.saveResult(r));
        return true;
      });
      if (job.explicitComplete()) {
        step.reportComplete(r);
      }
      return r;
    }
  }

  /** Returns its payload as it saw it (to prove the reserved keys are stripped). */
  @Workflow(name = "echo")
  public static class EchoWorkflow
      extends AgentWorkflow<Boss, Map<String, Object>, DefaultProgress, String> {
    @Override
    public String run(WorkflowEvent<Map<String, Object>> event,
        AgentWorkflowStep<Boss, DefaultProgress> step) {
      SEEN.add(event.payload());
      return "echo";
    }
  }

  /**
   * Runs more steps than its limit: the engine ends it with StepLimitExceeded, an Error that no
   * report of the run's own reaches the agent with. With {"wait": true} it first waits for a
   * "go" event.
   */
  @Workflow(name = "greedy", stepLimit = 4)
  public static class GreedyWorkflow
      extends AgentWorkflow<Boss, Map<String, Object>, DefaultProgress, String> {
    @Override
    public String run(WorkflowEvent<Map<String, Object>> event,
        AgentWorkflowStep<Boss, DefaultProgress> step) {
      if (Boolean.TRUE.equals(event.payload().get("wait"))) {
        step.waitForEvent("go", "go", Duration.ofMinutes(5), Object.class);
      }
      for (int i = 0; i < 10; i++) {
        int n = i;
        step.run("s" + i, Integer.class, () -> n);
      }
      return "unreachable";
    }
  }

  /** A step that works 200 ms (long enough for its start to be recorded) before it calls the agent. */
  @Workflow(name = "slow-save")
  public static class SlowSaveWorkflow
      extends AgentWorkflow<Boss, Map<String, Object>, DefaultProgress, String> {
    @Override
    public String run(WorkflowEvent<Map<String, Object>> event,
        AgentWorkflowStep<Boss, DefaultProgress> step) {
      step.run("slow-save", Boolean.class, () -> {
        Thread.sleep(200);
        step.agent().run(a -> a.saveResult("slow"));
        return true;
      });
      return "saved";
    }
  }

  /** Marks the agent's state, waits for an approval, marks it again (durable helpers only). */
  @Workflow(name = "ask")
  public static class AskWorkflow
      extends AgentWorkflow<Boss, Map<String, Object>, DefaultProgress, String> {
    @Override
    public String run(WorkflowEvent<Map<String, Object>> event,
        AgentWorkflowStep<Boss, DefaultProgress> step) {
      step.mergeAgentState(Map.of("phase", "asked"));
      step.waitForApproval(Duration.ofMinutes(5), Object.class);
      step.mergeAgentState(Map.of("phase", "approved"));
      return "asked";
    }
  }
}
