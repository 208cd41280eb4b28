package dev.steadfast.workflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.Backoff;
import dev.steadfast.workflow.InstanceEvent;
import dev.steadfast.workflow.InstanceStatus;
import dev.steadfast.workflow.Rollback;
import dev.steadfast.workflow.RollbackContext;
import dev.steadfast.workflow.RollbackOutcome;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.StepConfig;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.WorkflowStep;
import dev.steadfast.workflow.engine.events.EventLog;
import dev.steadfast.workflow.store.AttemptRecord;
import dev.steadfast.workflow.store.StepRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Saga rollbacks on a real database (the subclasses choose H2 or PostgreSQL): compensations run
 * in reverse order of their steps' start, are retried and journaled like steps, report their
 * outcome, run on terminate with rollback, and survive a crash in the middle.
 */
abstract class RollbackContract {
  /** What each instance's compensations did, in order: "ship<-error:…", "charge<-42", … */
  static final Map<String, List<String>> UNDONE = new ConcurrentHashMap<>();
  /** Attempts of each compensation, by instance/step. */
  static final Map<String, AtomicInteger> UNDO_ATTEMPTS = new ConcurrentHashMap<>();
  /** Instances whose "ship" step blocks until released, and the latch that releases it. */
  static final Map<String, CountDownLatch> SHIP_GATE = new ConcurrentHashMap<>();
  /** Instances whose "audit" step blocks until released. */
  static final Map<String, CountDownLatch> AUDIT_GATE = new ConcurrentHashMap<>();
  /** Instances whose "charge" compensation hangs (until interrupted) on its first attempt. */
  static final Set<String> HANG_CHARGE_UNDO = ConcurrentHashMap.newKeySet();

  /**
   * @param shipFails whether every attempt of "ship" fails
   * @param failUndo the step whose compensation fails its first {@code failUndoTimes} attempts
   * @param undoRetries retry limit of the charge compensation
   * @param waitForGo wait for an event "go" before shipping
   */
  public record SagaParams(boolean shipFails, String failUndo, int failUndoTimes, int undoRetries,
      boolean waitForGo) {}

  static List<String> undone(String id) {
    return UNDONE.getOrDefault(id, List.of());
  }

  static int undoAttempts(String id, String step) {
    AtomicInteger n = UNDO_ATTEMPTS.get(id + "/" + step);
    return n == null ? 0 : n.get();
  }

  @Workflow(name = "saga")
  public static class SagaWorkflow extends WorkflowEntrypoint<SagaParams, String> {
    @Override
    public String run(WorkflowEvent<SagaParams> event, WorkflowStep step) {
      String id = event.instanceId();
      SagaParams p = event.payload();
      StepConfig fastUndo = StepConfig.retries(p.undoRetries()).delay("10 ms")
          .backoff(Backoff.CONSTANT);
      String reservation = step.run("reserve", () -> "R-" + id.length(),
          Rollback.of(ctx -> undo(id, p, ctx)));
      long charged = step.run("charge", StepConfig.retries(0), Long.class, () -> 42L,
          Rollback.of(ctx -> undo(id, p, ctx)), fastUndo);
      step.run("audit", () -> {
        CountDownLatch gate = AUDIT_GATE.get(id);
        if (gate != null) {
          gate.await(20, TimeUnit.SECONDS);
        }
        return "no compensation";
      });
      if (p.waitForGo()) {
        step.waitForEvent("go", "go", "1 hour");
      }
      String shipped = step.run("ship",
          StepConfig.retries(1).delay("10 ms").backoff(Backoff.CONSTANT), () -> {
            CountDownLatch gate = SHIP_GATE.get(id);
            if (gate != null) {
              gate.await(20, TimeUnit.SECONDS);
            }
            if (p.shipFails()) {
              throw new IllegalStateException("carrier down");
            }
            return "shipped";
          }, Rollback.of(ctx -> undo(id, p, ctx)), fastUndo);
      return reservation + "/" + charged + "/" + shipped;
    }

    private static void undo(String id, SagaParams p, RollbackContext<?> ctx)
        throws InterruptedException {
      String key = id + "/" + ctx.stepName();
      int n = UNDO_ATTEMPTS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      if (ctx.stepName().equals("charge") && HANG_CHARGE_UNDO.contains(id) && n == 1) {
        Thread.sleep(60_000); // interrupted by the crash
      }
      if (ctx.stepName().equals(p.failUndo()) && n <= p.failUndoTimes()) {
        throw new IllegalStateException("refund refused");
      }
      UNDONE.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(ctx.stepName() + "-"
          + ctx.count() + "<-" + (ctx.succeeded() ? ctx.output()
              : "error:" + ctx.error().name() + ":" + ctx.error().message())
          + " limit " + ctx.config().limit() + " attempt " + ctx.attempt());
    }
  }

  protected EngineHarness h;
  protected DataSource db;

  abstract DataSource newDatabase();

  EngineHarness harness(String serverId) {
    return new EngineHarness(db, EngineHarness.fastConfig(serverId)
        .withLease(Duration.ofSeconds(1)))
        .register(SagaWorkflow.class, SagaWorkflow::new);
  }

  @BeforeEach
  void startEngine() {
    db = newDatabase();
    h = harness("server-a").start();
  }

  @AfterEach
  void stopEngine() {
    SHIP_GATE.values().forEach(CountDownLatch::countDown);
    AUDIT_GATE.values().forEach(CountDownLatch::countDown);
    h.close();
    if (db instanceof org.h2.jdbcx.JdbcConnectionPool p) {
      p.dispose();
    }
  }

  static String id() {
    return "r-" + UUID.randomUUID();
  }

  WorkflowInstance create(String id, SagaParams p) {
    return h.engine.<SagaParams>client("saga").create(id, p);
  }

  static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!condition.getAsBoolean()) {
      assertTrue(System.currentTimeMillis() < deadline, "timed out waiting until " + what);
      EngineHarness.sleep(5);
    }
  }

  // ------------------------------------------------------------------ failure of run

  @Test
  void aFailedRunRollsBackEveryStepWithAnOutcomeInReverseOrder() {
    String id = id();
    WorkflowInstance i = create(id, new SagaParams(true, null, 0, 3, false));
    InstanceStatus s = h.await(i, Status.ERRORED);
    assertEquals("IllegalStateException", s.error().name(), "the instance keeps run's failure");
    assertEquals("carrier down", s.error().message());
    assertEquals(new RollbackOutcome(RollbackOutcome.State.ROLLED_BACK, null, null), s.rollback());
    String r = "R-" + id.length();
    assertEquals(List.of(
        "ship-1<-error:IllegalStateException:carrier down limit 1 attempt 1",
        "charge-1<-42 limit 0 attempt 1",
        "reserve-1<-" + r + " limit 5 attempt 1"), undone(id),
        "the failed step too, then the completed ones, last started first; not 'audit'");
    WorkflowEngine.InstanceView v = h.engine.view("saga", id);
    assertEquals(List.of("do:reserve-1", "do:charge-1", "do:audit-1", "do:ship-1",
        "rollback:ship-1", "rollback:charge-1", "rollback:reserve-1"),
        v.steps().stream().map(StepRecord::key).toList(), "compensations are journaled");
    assertTrue(v.steps().stream().filter(x -> x.kind().equals("rollback"))
        .allMatch(x -> x.state().equals("succeeded")), v.steps().toString());
    assertEquals(s.rollback(), v.rollback());
    List<String> types = EventLog.derive(v.instance(), v.steps(), v.attempts(), v.rollback())
        .stream().map(InstanceEvent::type).toList();
    assertEquals(List.of("rollback_started", "rollback_attempt_started",
        "rollback_attempt_completed", "rollback_completed"),
        types.subList(types.indexOf("rollback_started"), types.indexOf("rollback_completed") + 1));
    assertEquals("workflow_errored", types.get(types.size() - 1));
    InstanceEvent last = EventLog.derive(v.instance(), v.steps(), v.attempts(), v.rollback())
        .get(types.size() - 1);
    assertEquals(s.rollback(), last.field("rollback"));
    List<EngineEvent.Type> engineEvents = h.events.stream().filter(e -> id.equals(e.instanceId()))
        .map(EngineEvent::type).filter(t -> t.name().contains("ROLL")).toList();
    assertEquals(List.of(EngineEvent.Type.WORKFLOW_ROLLING_BACK,
        EngineEvent.Type.ROLLBACK_START, EngineEvent.Type.ROLLBACK_ATTEMPT_START,
        EngineEvent.Type.ROLLBACK_ATTEMPT_SUCCESS, EngineEvent.Type.ROLLBACK_SUCCESS),
        engineEvents.subList(0, 5));
  }

  @Test
  void anInstanceThatCompletesRollsNothingBack() {
    String id = id();
    InstanceStatus s = h.await(create(id, new SagaParams(false, null, 0, 3, false)),
        Status.COMPLETE);
    assertEquals("R-" + id.length() + "/42/shipped", s.output(String.class));
    assertNull(s.rollback());
    assertEquals(List.of(), undone(id));
  }

  @Test
  void aCompensationIsRetriedLikeAStep() {
    String id = id();
    WorkflowInstance i = create(id, new SagaParams(true, "charge", 2, 3, false));
    InstanceStatus s = h.await(i, Status.ERRORED);
    assertEquals(RollbackOutcome.State.ROLLED_BACK, s.rollback().state());
    assertEquals(3, undoAttempts(id, "charge"), "two failed attempts, then success");
    assertEquals(List.of("ship-1", "charge-1", "reserve-1"),
        undone(id).stream().map(u -> u.substring(0, u.indexOf('<'))).toList());
    assertTrue(undone(id).get(1).endsWith("attempt 3"), undone(id).toString());
    List<AttemptRecord> attempts = h.engine.view("saga", id).attempts().get("rollback:charge-1");
    assertEquals(List.of(false, false, true), attempts.stream().map(AttemptRecord::success)
        .toList());
    assertEquals("refund refused", attempts.get(0).errorMessage());
  }

  @Test
  void aCompensationThatFailsForGoodStopsTheRollbackAndIsNamed() {
    String id = id();
    WorkflowInstance i = create(id, new SagaParams(true, "charge", 100, 1, false));
    InstanceStatus s = h.await(i, Status.ERRORED);
    assertEquals("carrier down", s.error().message(), "the instance keeps run's failure");
    RollbackOutcome r = s.rollback();
    assertEquals(RollbackOutcome.State.FAILED, r.state());
    assertEquals("charge-1", r.step());
    assertEquals("IllegalStateException", r.error().name());
    assertEquals("refund refused", r.error().message());
    assertEquals(2, undoAttempts(id, "charge"), "1 + 1 retry");
    assertEquals(List.of("ship-1"), undone(id).stream()
        .map(u -> u.substring(0, u.indexOf('<'))).toList(),
        "reserve, started before charge, is not undone after charge's undo failed");
    assertEquals(0, undoAttempts(id, "reserve"));
  }

  // ------------------------------------------------------------------ terminate with rollback

  @Test
  void terminateWithRollbackUndoesTheStepsOfAWaitingInstance() {
    String id = id();
    WorkflowInstance i = create(id, new SagaParams(false, null, 0, 3, true));
    h.await(i, Status.WAITING);
    i.terminate(true);
    InstanceStatus s = h.await(i, Status.TERMINATED);
    assertNull(s.error());
    assertEquals(RollbackOutcome.State.ROLLED_BACK, s.rollback().state());
    assertEquals(List.of("charge-1", "reserve-1"),
        undone(id).stream().map(u -> u.substring(0, u.indexOf('<'))).toList());
    WorkflowEngine.InstanceView v = h.engine.view("saga", id);
    assertTrue(v.steps().stream().noneMatch(x -> x.key().equals("do:ship-1")),
        "no step started after the terminate");
    WorkflowException e = assertThrows(WorkflowException.class, () -> i.terminate(true));
    assertEquals(WorkflowException.Reason.ILLEGAL_STATE, e.reason());
  }

  @Test
  void terminateWithRollbackLetsTheStepInFlightFinishThenUndoesIt() {
    String id = id();
    CountDownLatch gate = new CountDownLatch(1);
    SHIP_GATE.put(id, gate);
    WorkflowInstance i = create(id, new SagaParams(false, null, 0, 3, false));
    awaitTrue(() -> h.engine.view("saga", id).steps().size() >= 3
        && h.engine.runningTurns() > 0, "ship is in flight");
    EngineHarness.sleep(100);
    i.terminate(true);
    assertEquals(Status.ROLLING_BACK, i.status().status());
    assertEquals(RollbackOutcome.State.RUNNING, i.status().rollback().state());
    WorkflowException e = assertThrows(WorkflowException.class, i::pause);
    assertEquals(WorkflowException.Reason.ILLEGAL_STATE, e.reason());
    gate.countDown();
    InstanceStatus s = h.await(i, Status.TERMINATED);
    assertEquals(RollbackOutcome.State.ROLLED_BACK, s.rollback().state());
    assertEquals(List.of("ship-1<-shipped", "charge-1<-42", "reserve-1<-R-" + id.length()),
        undone(id).stream().map(u -> u.substring(0, u.indexOf(" limit"))).toList());
  }

  @Test
  void aTerminateWithRollbackSentToAnotherServerStopsTheRunThere() {
    String id = id();
    CountDownLatch gate = new CountDownLatch(1);
    AUDIT_GATE.put(id, gate);
    create(id, new SagaParams(false, null, 0, 3, false));
    awaitTrue(() -> h.engine.view("saga", id).steps().size() >= 3, "audit is in flight");
    EngineHarness b = harness("server-b").start();
    try {
      b.engine.client("saga").get(id).terminate(true);
      // server-a's heartbeat (a third of the 1 s lease) passes the request on to its turn
      EngineHarness.sleep(800);
      gate.countDown();
      InstanceStatus s = b.await(b.engine.client("saga").get(id), Status.TERMINATED);
      assertEquals(RollbackOutcome.State.ROLLED_BACK, s.rollback().state());
    } finally {
      b.close();
    }
    assertEquals(List.of("charge-1", "reserve-1"),
        undone(id).stream().map(u -> u.substring(0, u.indexOf('<'))).toList());
    assertTrue(h.engine.view("saga", id).steps().stream()
        .noneMatch(x -> x.key().equals("do:ship-1")), "no step started after the terminate");
  }

  // ------------------------------------------------------------------ crash

  @Test
  void aCrashInTheMiddleOfARollbackResumesItWithoutRepeatingDoneCompensations() {
    String id = id();
    HANG_CHARGE_UNDO.add(id);
    WorkflowInstance i = create(id, new SagaParams(true, null, 0, 3, false));
    awaitTrue(() -> undoAttempts(id, "charge") == 1, "charge's compensation runs");
    EngineHarness.sleep(150); // its start is recorded (after 50 ms)
    assertEquals(Status.ROLLING_BACK, i.status().status());
    assertEquals(List.of("ship-1"), undone(id).stream()
        .map(u -> u.substring(0, u.indexOf('<'))).toList());
    h.crash();
    h = harness("server-b").start(); // takes the instance over once the 1 s lease ran out
    InstanceStatus s = h.await(h.engine.client("saga").get(id), Status.ERRORED);
    assertEquals(RollbackOutcome.State.ROLLED_BACK, s.rollback().state());
    assertEquals("carrier down", s.error().message());
    assertEquals(List.of("ship-1", "charge-1", "reserve-1"),
        undone(id).stream().map(u -> u.substring(0, u.indexOf('<'))).toList(),
        "ship's compensation did not run again; the others ran once to the end");
    assertEquals(1, undoAttempts(id, "ship"));
    assertEquals(2, undoAttempts(id, "charge"), "the attempt in flight at the crash, then one");
    assertEquals(1, undoAttempts(id, "reserve"));
    List<AttemptRecord> a = h.engine.view("saga", id).attempts().get("rollback:charge-1");
    assertEquals(2, a.size(), a.toString());
    assertEquals("AttemptLost", a.get(0).errorName());
    assertEquals(true, a.get(1).success());
  }
}
