package dev.steadfast.workflow.engine;

import static dev.steadfast.workflow.engine.StepFeatureWorkflows.DELAY_CALLS;
import static dev.steadfast.workflow.engine.StepFeatureWorkflows.ORDER;
import static dev.steadfast.workflow.engine.StepFeatureWorkflows.ran;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.InstanceEvent;
import dev.steadfast.workflow.RestartFrom;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.StepOutputs.StepName;
import dev.steadfast.workflow.engine.StepOutputs.StepOutput;
import dev.steadfast.workflow.engine.WorkflowEngine.InstanceView;
import dev.steadfast.workflow.engine.events.EventLog;
import dev.steadfast.workflow.store.AttemptRecord;
import dev.steadfast.workflow.store.StepRecord;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The step features of issue 10 (sensitive outputs, retry delay functions, step limits, restarts
 * from any step kind, oversized results, failed steps' exception classes, race and any, wake-up
 * priority) on a real database; the subclasses choose H2 or PostgreSQL. One engine serves the
 * class (instances have ids of their own), so the class stays fast.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StepFeaturesContract {
  private EngineHarness h;

  abstract DataSource newDatabase();

  @BeforeAll
  void startEngine() {
    h = register(new EngineHarness(newDatabase(), EngineHarness.fastConfig("steps"))).start();
  }

  private static EngineHarness register(EngineHarness h) {
    return h.register(StepFeatureWorkflows.SecretiveWorkflow.class,
            StepFeatureWorkflows.SecretiveWorkflow::new)
        .register(StepFeatureWorkflows.CustomDelayWorkflow.class,
            StepFeatureWorkflows.CustomDelayWorkflow::new)
        .register(StepFeatureWorkflows.CappedWorkflow.class, StepFeatureWorkflows.CappedWorkflow::new)
        .register(StepFeatureWorkflows.PhasesWorkflow.class, StepFeatureWorkflows.PhasesWorkflow::new)
        .register(StepFeatureWorkflows.OversizedWorkflow.class,
            StepFeatureWorkflows.OversizedWorkflow::new)
        .register(StepFeatureWorkflows.DeclinesWorkflow.class,
            StepFeatureWorkflows.DeclinesWorkflow::new)
        .register(StepFeatureWorkflows.RacerWorkflow.class, StepFeatureWorkflows.RacerWorkflow::new)
        .register(StepFeatureWorkflows.SleeperWorkflow.class,
            StepFeatureWorkflows.SleeperWorkflow::new)
        .register(StepFeatureWorkflows.NewcomerWorkflow.class,
            StepFeatureWorkflows.NewcomerWorkflow::new)
        .register(StepFeatureWorkflows.GateWorkflow.class, StepFeatureWorkflows.GateWorkflow::new);
  }

  @AfterAll
  void stopEngine() {
    h.close();
  }

  private static String id() {
    return "s-" + UUID.randomUUID();
  }

  private <P> WorkflowClient<P> client(String name) {
    return h.engine.client(name);
  }

  private StepRecord step(InstanceView v, String key) {
    return v.steps().stream().filter(s -> s.key().equals(key)).findFirst()
        .orElseThrow(() -> new AssertionError("no step " + key + " in " + v.steps()));
  }

  @Test
  void aSensitiveOutputReplaysButIsRedactedInEveryView() {
    String id = id();
    WorkflowInstance i = client("secretive").create(id, null);
    // the token came back from the journal after the sleep: the real value was stored
    assertEquals("visible s3cret-" + id, h.await(i, Status.COMPLETE).output(String.class));
    assertEquals(1, ran(id, "token"));
    InstanceView v = h.engine.view("secretive", id);
    StepRecord token = step(v, "do:token-1");
    assertEquals("\"s3cret-" + id + "\"", token.result());
    assertEquals("\"[REDACTED]\"", Redaction.shownResult(token));
    assertEquals("\"visible\"", Redaction.shownResult(step(v, "do:plain-1")));
    // the event stream
    List<InstanceEvent> events = EventLog.derive(v.instance(), v.steps(), v.attempts());
    List<Object> outputs = events.stream().filter(e -> e.type().equals("step_completed"))
        .map(e -> e.fields().get("output")).toList();
    assertEquals(List.of("\"[REDACTED]\"", "\"visible\""), outputs);
    // (the workflow's own output is its author's choice: this one returns the token)
    assertFalse(events.stream().filter(e -> !e.type().equals("workflow_completed"))
        .anyMatch(e -> e.fields().toString().contains("s3cret")), events.toString());
    // the full-output view
    StepOutput out = StepOutputs.find(v, StepName.parse("token-1"), StepOutputs.STEP, null)
        .orElseThrow();
    assertEquals(new StepOutput("complete", null, null, "\"[REDACTED]\""), out);
  }

  @Test
  void aRetryDelayFunctionRunsOncePerFailureAndItsDelaysAreRecorded() {
    String id = id();
    WorkflowInstance i = client("custom-delay").create(id, 60);
    assertEquals("ok after 3", h.await(i, Status.COMPLETE).output(String.class));
    // each failure asked once, however often run replayed
    assertEquals(List.of("1:boom-1", "2:boom-2"), DELAY_CALLS.get(id));
    InstanceView v = h.engine.view("custom-delay", id);
    // recorded as Cloudflare does, which wrangler reads as "dynamic delay"
    assertTrue(step(v, "do:flaky-1").config().contains("\"delay\":\"[dynamic]\""),
        step(v, "do:flaky-1").config());
    List<AttemptRecord> a = v.attempts().get("do:flaky-1");
    assertEquals(3, a.size());
    assertTrue(a.get(1).startedAt() - a.get(0).endedAt() >= 60, a.toString());
    assertTrue(a.get(2).startedAt() - a.get(1).endedAt() >= 120, a.toString());
    // the full output of each attempt
    StepName flaky = StepName.parse("flaky-1");
    assertEquals(new StepOutput("errored", "IllegalStateException", "boom-2", null),
        StepOutputs.find(v, flaky, StepOutputs.STEP, 2).orElseThrow());
    assertEquals(new StepOutput("complete", null, null, "\"ok after 3\""),
        StepOutputs.find(v, flaky, StepOutputs.STEP, 3).orElseThrow());
    assertTrue(StepOutputs.find(v, flaky, StepOutputs.STEP, 4).isEmpty());
    assertTrue(StepOutputs.find(v, flaky, StepOutputs.WAIT_FOR_EVENT, null).isEmpty());

    // a function returning a negative delay fails the step for good, with a clear error
    String bad = id();
    var s = h.await(client("custom-delay").create(bad, -1), Status.ERRORED);
    assertEquals("RetryDelayError", s.error().name());
    assertTrue(s.error().message().contains("returned PT-0.001S"), s.error().message());
    assertEquals(1, ran(bad, "flaky"));
  }

  @Test
  void aWorkflowsOwnStepLimitIsEnforcedAndBoundedBy25000() {
    WorkflowInstance ok = client("capped").create(id(), 3);
    assertEquals(3, h.await(ok, Status.COMPLETE).output(Integer.class));
    WorkflowInstance over = client("capped").create(id(), 4);
    var s = h.await(over, Status.ERRORED);
    assertEquals("StepLimitExceeded", s.error().name());
    assertTrue(s.error().message().contains("more than 3 steps"), s.error().message());
    assertEquals(10_000, EngineConfig.defaults("x").stepLimit());
    WorkflowRegistry r = new WorkflowRegistry();
    WorkflowException e = assertThrows(WorkflowException.class, () -> r.register(
        WorkflowDefinition.of(StepFeatureWorkflows.TooManyWorkflow.class,
            StepFeatureWorkflows.TooManyWorkflow::new)));
    assertTrue(e.getMessage().contains("1 to 25000"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> EngineConfig.defaults("x").withStepLimit(25_001));
  }

  @Test
  void restartFromASleepOrAWaitForEventKeepsWhatCameBefore() {
    String id = id();
    WorkflowInstance i = client("phases").create(id, null);
    h.await(i, Status.WAITING);
    i.sendEvent("go", "first");
    assertEquals("approved first", h.await(i, Status.COMPLETE).output(String.class));

    i.restart(new RestartFrom("nap", 2, "sleep"));
    // the event went to the wait it was consumed by: the restarted wait needs a new one
    awaitStep(i, "waitForEvent:approval-1");
    i.sendEvent("go", "second");
    assertEquals("approved second", h.await(i, Status.COMPLETE).output(String.class));
    assertEquals(1, ran(id, "a"));
    assertEquals(1, ran(id, "b"));
    assertEquals(2, ran(id, "c"));

    i.restart(new RestartFrom("approval", 1, "waitForEvent"));
    awaitStep(i, "waitForEvent:approval-1");
    i.sendEvent("go", "third");
    assertEquals("approved third", h.await(i, Status.COMPLETE).output(String.class));
    assertEquals(1, ran(id, "b"));
    assertEquals(3, ran(id, "c"));
    assertThrows(WorkflowException.class, () -> i.restart(new RestartFrom("nap", 3, "sleep")));
  }

  /** Waits until the instance waits in the given step (after a restart it first is queued). */
  private void awaitStep(WorkflowInstance i, String key) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      InstanceView v = h.engine.view("phases", i.id());
      if (v.instance().status().equals("waiting")
          && v.steps().stream().anyMatch(s -> s.key().equals(key) && !s.isFinished())) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "never waited in " + key + ": " + v.steps());
      EngineHarness.sleep(10);
    }
  }

  @Test
  void aResultOver1MiBFailsTheStepForGoodAndRunMayCatchIt() {
    String id = id();
    WorkflowInstance i = client("oversized").create(id, null);
    // caught in run the first time and again on the replay after the sleep; never retried
    assertEquals("StepResultTooLarge/true", h.await(i, Status.COMPLETE).output(String.class));
    assertEquals(1, ran(id, "huge"));
    StepRecord huge = step(h.engine.view("oversized", id), "do:huge-1");
    assertEquals("failed", huge.state());
    assertTrue(huge.errorMessage().contains("1 MiB"), huge.errorMessage());
  }

  @Test
  void aFailedStepsExceptionClassIsRestoredOnReplay() {
    WorkflowInstance i = client("declines").create(id(), null);
    assertEquals("declined: card 42 declined | true true",
        h.await(i, Status.COMPLETE).output(String.class));
  }

  @Test
  void raceAndAnyJournalTheirWinnerAndStopTheLosers() {
    String id = id();
    WorkflowInstance i = client("racer").create(id, null);
    assertEquals("B yes AggregateError", h.await(i, Status.COMPLETE).output(String.class));
    // the replay after the sleep returned the journaled winner without running the branches
    assertEquals(1, ran(id, "b body"));
    // the losing branch finished the step it was in (if its thread got that far before "b" won:
    // on a busy machine it may not have started it), and ran none after the race was decided
    assertTrue(ran(id, "a") <= 1, "the losing step ran again");
    assertEquals(0, ran(id, "a after"));
    InstanceView v = h.engine.view("racer", id);
    assertEquals("\"B\"", step(v, "race:first-1").result());
    assertEquals("AggregateError", step(v, "race:none-1").errorName());
    assertEquals(new StepOutput("complete", null, null, "\"yes\""),
        StepOutputs.find(v, StepName.parse("any-1"), StepOutputs.STEP, null).orElseThrow());
  }

  @Test
  void instancesWakingFromASleepRunBeforeNewlyQueuedOnesOnASaturatedServer() throws Exception {
    EngineHarness one = register(new EngineHarness(newDatabase(),
        EngineHarness.fastConfig("one-worker").withWorkers(1))).start();
    try {
      String sleeper = id();
      WorkflowInstance s = one.engine.client("sleeper").create(sleeper, 2_000);
      one.await(s, Status.WAITING);
      StepFeatureWorkflows.gate = new CountDownLatch(1);
      String gate = id();
      WorkflowInstance g = one.engine.client("gate").create(gate, null);
      while (ran(gate, "hold") == 0) {
        EngineHarness.sleep(5);
      }
      // queued while the only worker is busy, before the sleeper's wake-up time
      List<WorkflowInstance> newcomers = new java.util.ArrayList<>();
      for (int k = 0; k < 4; k++) {
        newcomers.add(one.engine.client("newcomer").create(id(), null));
      }
      long due = step(one.engine.view("sleeper", sleeper), "sleep:nap-1").dueAt();
      // the point of the test: the newcomers were due before the sleeper
      long lastQueued = one.engine.view("newcomer", newcomers.get(3).id()).instance().createdAt();
      assertTrue(lastQueued < due, "the machine is too slow for this test: queued at "
          + lastQueued + ", the sleeper wakes at " + due);
      while (System.currentTimeMillis() <= due + 20) {
        EngineHarness.sleep(5);
      }
      StepFeatureWorkflows.gate.countDown();
      one.await(g, Status.COMPLETE);
      one.await(s, Status.COMPLETE);
      for (WorkflowInstance n : newcomers) {
        one.await(n, Status.COMPLETE);
      }
      List<String> mine = ORDER.stream().filter(x -> x.endsWith(sleeper)
          || newcomers.stream().anyMatch(n -> x.endsWith(n.id()))).toList();
      assertEquals("woke " + sleeper, mine.get(0), mine.toString());
    } finally {
      StepFeatureWorkflows.gate.countDown();
      one.close();
    }
  }
}
