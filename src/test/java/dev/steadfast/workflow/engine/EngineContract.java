package dev.steadfast.workflow.engine;

import static dev.steadfast.workflow.engine.TestWorkflows.ATTEMPTS;
import static dev.steadfast.workflow.engine.TestWorkflows.ran;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.InstanceStatus;
import dev.steadfast.workflow.RestartFrom;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.TypeRef;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowClient.NewInstance;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.TestWorkflows.ApprovalParams;
import dev.steadfast.workflow.engine.TestWorkflows.Decision;
import dev.steadfast.workflow.engine.TestWorkflows.FlakyParams;
import dev.steadfast.workflow.engine.TestWorkflows.Item;
import dev.steadfast.workflow.engine.TestWorkflows.LongParams;
import dev.steadfast.workflow.engine.TestWorkflows.Order;
import dev.steadfast.workflow.engine.TestWorkflows.Receipt;
import dev.steadfast.workflow.store.AttemptRecord;
import dev.steadfast.workflow.store.InstanceRecord;
import dev.steadfast.workflow.store.StepRecord;
import dev.steadfast.workflow.store.StepState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine semantics of {@code shared/spec/engine-semantics.md}, run against a real database
 * (the subclasses choose H2 or PostgreSQL).
 */
abstract class EngineContract {
  protected EngineHarness h;
  protected DataSource db;

  abstract DataSource newDatabase();

  @BeforeEach
  void startEngine() {
    db = newDatabase();
    h = newHarness("server-a").start();
  }

  EngineHarness newHarness(String serverId) {
    return new EngineHarness(db, EngineHarness.fastConfig(serverId))
        .register(TestWorkflows.OrderWorkflow.class, TestWorkflows.OrderWorkflow::new)
        .register(TestWorkflows.FlakyWorkflow.class, TestWorkflows.FlakyWorkflow::new)
        .register(TestWorkflows.NonRetryableWorkflow.class, TestWorkflows.NonRetryableWorkflow::new)
        .register(TestWorkflows.SlowWorkflow.class, TestWorkflows.SlowWorkflow::new)
        .register(TestWorkflows.ApprovalWorkflow.class, TestWorkflows.ApprovalWorkflow::new)
        .register(TestWorkflows.CollectorWorkflow.class, TestWorkflows.CollectorWorkflow::new)
        .register(TestWorkflows.StaleWaiterWorkflow.class, TestWorkflows.StaleWaiterWorkflow::new)
        .register(TestWorkflows.LongWorkflow.class, TestWorkflows.LongWorkflow::new)
        .register(TestWorkflows.ManyStepsWorkflow.class, TestWorkflows.ManyStepsWorkflow::new)
        .register(TestWorkflows.ThreePhaseWorkflow.class, TestWorkflows.ThreePhaseWorkflow::new)
        .register(TestWorkflows.FanOutWorkflow.class, TestWorkflows.FanOutWorkflow::new)
        .register(TestWorkflows.NapWorkflow.class, TestWorkflows.NapWorkflow::new);
  }

  @AfterEach
  void stopEngine() {
    h.close();
    if (db instanceof org.h2.jdbcx.JdbcConnectionPool p) {
      p.dispose();
    }
  }

  static String id() {
    return "t-" + UUID.randomUUID();
  }

  <P> WorkflowClient<P> client(String name) {
    return h.engine.client(name);
  }

  // ------------------------------------------------------------------ basics

  @Test
  void stepsFeedLaterStepsAndTheOutputComesBackTyped() {
    WorkflowClient<Order> orders = client("ORDER_WORKFLOW");
    String id = id();
    WorkflowInstance i = orders.create(id, new Order("ada", List.of(
        new Item("a", 2, 1.5), new Item("b", 1, 4.0))));
    InstanceStatus s = h.await(i, Status.COMPLETE);
    assertEquals(new Receipt("ada", 7.0, 2), s.output(Receipt.class));
    // the sleep ended the first turn; the replay did not run completed steps again
    assertEquals(1, ran(id, "load items"));
    assertEquals(1, ran(id, "price"));
    assertEquals(1, ran(id, "receipt"));
    assertNull(s.error());
  }

  @Test
  void sleepingInstanceReportsWaiting() {
    WorkflowClient<Order> orders = client("orders");
    WorkflowInstance i = orders.create(id(), new Order("bob", List.of()));
    h.await(i, Status.WAITING, Duration.ofSeconds(5));
    h.await(i, Status.COMPLETE);
  }

  @Test
  void resultsComeBackWithTheirTypeInANewEngine() {
    // first engine runs until the sleep, a second engine (new JVM objects) finishes
    WorkflowClient<Order> orders = client("orders");
    String id = id();
    WorkflowInstance i = orders.create(id, new Order("cy", List.of(new Item("x", 3, 2.0))));
    h.await(i, Status.WAITING, Duration.ofSeconds(5));
    h.close();
    h = newHarness("server-a").start();
    InstanceStatus s = h.await(h.engine.<Order>client("orders").get(id), Status.COMPLETE);
    assertEquals(new Receipt("cy", 6.0, 1), s.output(Receipt.class));
    assertEquals(1, ran(id, "load items"));
  }

  // ------------------------------------------------------------------ retries

  @Test
  void retriesNumberAttemptsAndRecordEachOne() {
    String id = id();
    WorkflowInstance i = client("flaky").create(id, new FlakyParams(2, 3, 20, "constant", false));
    InstanceStatus s = h.await(i, Status.COMPLETE);
    assertEquals("ok after 3", s.output(String.class));
    assertEquals(List.of(1, 2, 3), ATTEMPTS.get(id + "/call"));
    WorkflowEngine.InstanceView v = h.engine.view("flaky", id);
    List<AttemptRecord> attempts = v.attempts().get("do:call-1");
    assertEquals(3, attempts.size());
    assertEquals(false, attempts.get(0).success());
    assertEquals("IllegalStateException", attempts.get(0).errorName());
    assertEquals("boom 1", attempts.get(0).errorMessage());
    assertEquals(true, attempts.get(2).success());
    // constant backoff of 20 ms between attempts
    assertTrue(attempts.get(1).startedAt() - attempts.get(0).endedAt() >= 20);
    assertTrue(attempts.get(2).startedAt() - attempts.get(1).endedAt() >= 20);
  }

  @Test
  void exponentialBackoffDoublesTheDelay() {
    String id = id();
    WorkflowInstance i = client("flaky").create(id, new FlakyParams(3, 3, 100, "exponential", false));
    h.await(i, Status.COMPLETE);
    List<AttemptRecord> a = h.engine.view("flaky", id).attempts().get("do:call-1");
    assertTrue(a.get(1).startedAt() - a.get(0).endedAt() >= 100);
    assertTrue(a.get(2).startedAt() - a.get(1).endedAt() >= 200);
    assertTrue(a.get(3).startedAt() - a.get(2).endedAt() >= 400);
  }

  @Test
  void exhaustedRetriesErrorTheInstanceWithTheLastError() {
    String id = id();
    WorkflowInstance i = client("flaky").create(id, new FlakyParams(9, 2, 10, "linear", false));
    InstanceStatus s = h.await(i, Status.ERRORED);
    assertEquals("IllegalStateException", s.error().name());
    assertEquals("boom 3", s.error().message());
    assertEquals(3, ran(id, "call"));
  }

  @Test
  void aCaughtFailingStepLetsTheInstanceComplete() {
    String id = id();
    WorkflowInstance i = client("flaky").create(id, new FlakyParams(9, 1, 10, "constant", true));
    InstanceStatus s = h.await(i, Status.COMPLETE);
    assertEquals("fallback after IllegalStateException: boom 2", s.output(String.class));
    assertEquals(2, ran(id, "call"));
  }

  @Test
  void nonRetryableErrorIsNotRetriedAndCanBeCaught() {
    String caught = id();
    InstanceStatus s = h.await(client("non-retryable").create(caught, true), Status.COMPLETE);
    assertEquals("caught card declined", s.output(String.class));
    // the sleep forced a replay: the recorded error was thrown again, the step did not run again
    assertEquals(1, ran(caught, "fail"));

    String uncaught = id();
    s = h.await(client("non-retryable").create(uncaught, false), Status.ERRORED);
    assertEquals("NonRetryableError", s.error().name());
    assertEquals("card declined", s.error().message());
    assertEquals(1, ran(uncaught, "fail"));
  }

  @Test
  void anAttemptThatTimesOutIsRetried() {
    String id = id();
    WorkflowInstance i = client("slow").create(id, new TestWorkflows.SlowParams(1, 1));
    InstanceStatus s = h.await(i, Status.COMPLETE);
    assertEquals("fast at last", s.output(String.class));
    List<AttemptRecord> a = h.engine.view("slow", id).attempts().get("do:slow-1");
    assertEquals("TimeoutError", a.get(0).errorName());
    assertTrue(a.get(0).endedAt() - a.get(0).startedAt() < 2_000, "interrupted, not waited out");

    String failing = id();
    s = h.await(client("slow").create(failing, new TestWorkflows.SlowParams(2, 9)), Status.ERRORED);
    // limit 2 retries: 3 attempts, all timed out
    assertEquals("TimeoutError", s.error().name());
    assertEquals(3, ran(failing, "slow"));
  }

  // ------------------------------------------------------------------ events

  @Test
  void anEventSentBeforeTheWaitIsDelivered() {
    String id = id();
    WorkflowInstance i = client("approval").create(id, new ApprovalParams(60_000));
    i.sendEvent("approval", new Decision(true, "looks good"));
    InstanceStatus s = h.await(i, Status.COMPLETE);
    assertEquals("approved: looks good", s.output(String.class));
  }

  @Test
  void anEventSentWhileWaitingResumesTheInstance() {
    WorkflowInstance i = client("approval").create(id(), new ApprovalParams(60_000));
    h.await(i, Status.WAITING);
    long t0 = System.nanoTime();
    i.sendEvent("approval", new Decision(false, "too expensive"));
    InstanceStatus s = h.await(i, Status.COMPLETE);
    assertEquals("rejected: too expensive", s.output(String.class));
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
  }

  @Test
  void aWaitThatTimesOutThrowsIntoTheWorkflow() {
    WorkflowInstance i = client("approval").create(id(), new ApprovalParams(1_000));
    InstanceStatus s = h.await(i, Status.COMPLETE);
    assertEquals("timed out", s.output(String.class));
  }

  @Test
  void eventsOfOneTypeAreDeliveredInOrderOnce() {
    WorkflowInstance i = client("collector").create(id(), null);
    i.sendEvent("item", "one");
    i.sendEvent("other", "ignored");
    i.sendEvent("item", "two");
    h.await(i, Status.WAITING);
    i.sendEvent("item", "three");
    InstanceStatus s = h.await(i, Status.COMPLETE);
    assertEquals(List.of("one", "two", "three"), s.output(new TypeRef<List<String>>() {}));
  }

  @Test
  void eventsSentAtAnyMomentOfTheirInstancesTurnsAreAllReceived() throws Exception {
    // each event lands at a different moment relative to its instance's turns: before the wait,
    // while the wait is being recorded, between the record and the end of the turn, while it
    // waits (the turn finds no event, records the wait, then an event arrives before it ends:
    // the end must be refused and the instance run again to take it)
    int n = 40;
    List<WorkflowInstance> approvals = new ArrayList<>();
    List<WorkflowInstance> collectors = new ArrayList<>();
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        WorkflowInstance a = client("approval").create(id(), new ApprovalParams(60_000));
        WorkflowInstance c = client("collector").create(id(), null);
        approvals.add(a);
        collectors.add(c);
        long delayMicros = k * 250L; // 0 to 10 ms after the create
        int no = k;
        sent.add(pool.submit(() -> {
          java.util.concurrent.locks.LockSupport.parkNanos(delayMicros * 1_000);
          a.sendEvent("approval", new Decision(true, "n" + no));
          for (String item : List.of("x", "y", "z")) {
            c.sendEvent("item", item + no);
            java.util.concurrent.locks.LockSupport.parkNanos(delayMicros * 300);
          }
          return null;
        }));
      }
      for (var f : sent) {
        f.get(30, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int k = 0; k < n; k++) {
      InstanceStatus s = h.await(approvals.get(k), Status.COMPLETE, Duration.ofSeconds(30));
      assertEquals("approved: n" + k, s.output(String.class));
      InstanceStatus c = h.await(collectors.get(k), Status.COMPLETE, Duration.ofSeconds(30));
      assertEquals(List.of("x" + k, "y" + k, "z" + k), c.output(new TypeRef<List<String>>() {}));
    }
  }

  @Test
  void instancesCreatedTogetherAllReachTheirWaits() throws Exception {
    // their waits are recorded with their releases, in shared batches of the journal writer
    int n = 300;
    List<WorkflowInstance> all = java.util.Collections.synchronizedList(new ArrayList<>());
    var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<?>> made = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        made.add(pool.submit(() -> all.add(client("approval").create(id(),
            new ApprovalParams(3_600_000)))));
      }
      for (var f : made) {
        f.get(30, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (WorkflowInstance i : all) {
      h.await(i, Status.WAITING, Duration.ofSeconds(30));
    }
    for (WorkflowInstance i : all.subList(0, 20)) {
      i.sendEvent("approval", new Decision(true, "ok"));
    }
    for (WorkflowInstance i : all.subList(0, 20)) {
      assertEquals("approved: ok", h.await(i, Status.COMPLETE).output(String.class));
    }
  }

  @Test
  void anEventAfterATimedOutWaitGoesToTheNextWait() {
    WorkflowInstance i = client("stale-waiter").create(id(), null);
    EngineHarness.sleep(1_500); // the first wait (1 s) times out
    i.sendEvent("ping", "late");
    InstanceStatus s = h.await(i, Status.COMPLETE);
    assertEquals("timeout,late", s.output(String.class));
  }

  @Test
  void anEventSentAfterAWaitsDeadlineGoesToTheNextWaitEvenBeforeTheTimeOutIsProcessed() {
    // paused, the instance cannot process the first wait's time-out; the event sent after that
    // deadline must not be taken by the first wait when the instance resumes
    WorkflowInstance i = client("stale-waiter").create(id(), null);
    h.await(i, Status.WAITING, Duration.ofSeconds(10));
    i.pause();
    h.await(i, Status.PAUSED, Duration.ofSeconds(10));
    EngineHarness.sleep(1_300); // past the first wait's 1 s deadline
    i.sendEvent("ping", "late");
    i.resume();
    InstanceStatus s = h.await(i, Status.COMPLETE);
    assertEquals("timeout,late", s.output(String.class));
  }

  @Test
  void sendingToAFinishedInstanceIsAnError() {
    WorkflowInstance i = client("approval").create(id(), new ApprovalParams(60_000));
    i.sendEvent("approval", new Decision(true, "ok"));
    h.await(i, Status.COMPLETE);
    WorkflowException e = assertThrows(WorkflowException.class, () -> i.sendEvent("approval", null));
    assertEquals(WorkflowException.Reason.ILLEGAL_STATE, e.reason());
    assertThrows(WorkflowException.class, () -> i.sendEvent("bad.type", null));
  }

  // ------------------------------------------------------------------ lifecycle

  @Test
  void pauseWhileAStepIsInFlightKeepsItsResult() {
    String id = id();
    WorkflowInstance i = client("long").create(id, new LongParams(1_000, 3));
    h.await(i, Status.RUNNING, Duration.ofSeconds(5));
    EngineHarness.sleep(100);
    i.pause();
    assertEquals(Status.WAITING_FOR_PAUSE, i.status().status());
    h.await(i, Status.PAUSED);
    assertEquals(1, ran(id, "step 1"));
    assertEquals(0, ran(id, "step 2"));
    EngineHarness.sleep(1_200);
    assertEquals(Status.PAUSED, i.status().status());
    assertEquals(0, ran(id, "step 2"), "no step starts while paused");
    i.resume();
    InstanceStatus s = h.await(i, Status.COMPLETE);
    assertEquals(3, s.output(Integer.class));
    assertEquals(1, ran(id, "step 1"));
  }

  @Test
  void pauseInterruptsAWaitAndBuffersEventsUntilResume() {
    WorkflowInstance i = client("approval").create(id(), new ApprovalParams(60_000));
    h.await(i, Status.WAITING);
    i.pause();
    assertEquals(Status.PAUSED, i.status().status(), "a waiting instance pauses at once");
    i.sendEvent("approval", new Decision(true, "while paused"));
    EngineHarness.sleep(300);
    assertEquals(Status.PAUSED, i.status().status(), "an event does not wake a paused instance");
    i.resume();
    assertEquals("approved: while paused", h.await(i, Status.COMPLETE).output(String.class));
  }

  @Test
  void pauseInterruptsASleepAndResumeContinues() {
    WorkflowInstance i = client("orders").create(id(), new Order("p", List.of()));
    h.await(i, Status.WAITING);
    i.pause();
    // paused at once while asleep, or at the next step if the sleep had just ended
    h.await(i, Status.PAUSED, Duration.ofSeconds(10));
    EngineHarness.sleep(400);
    assertEquals(Status.PAUSED, i.status().status());
    i.resume();
    h.await(i, Status.COMPLETE);
  }

  @Test
  void resumingAnInstanceThatIsNotPausedDoesNothing() {
    WorkflowInstance i = client("approval").create(id(), new ApprovalParams(60_000));
    h.await(i, Status.WAITING);
    i.resume();
    assertEquals(Status.WAITING, i.status().status());
  }

  @Test
  void terminateStopsForGoodAndCannotBeRepeated() {
    String id = id();
    WorkflowInstance i = client("long").create(id, new LongParams(300, 5));
    h.await(i, Status.RUNNING, Duration.ofSeconds(5));
    i.terminate();
    assertEquals(Status.TERMINATED, i.status().status());
    EngineHarness.sleep(800);
    assertEquals(Status.TERMINATED, i.status().status());
    assertTrue(ran(id, "step 3") == 0);
    WorkflowException e = assertThrows(WorkflowException.class, i::terminate);
    assertEquals(WorkflowException.Reason.ILLEGAL_STATE, e.reason());
    assertThrows(WorkflowException.class, i::pause);
  }

  @Test
  void restartRunsEveryStepAgain() {
    String id = id();
    WorkflowInstance i = client("three-phase").create(id, null);
    h.await(i, Status.COMPLETE);
    i.restart();
    h.await(i, Status.COMPLETE);
    assertEquals(2, ran(id, "a"));
    assertEquals(2, ran(id, "c"));
  }

  @Test
  void restartFromAStepKeepsTheStepsBeforeIt() {
    String id = id();
    WorkflowInstance i = client("three-phase").create(id, null);
    h.await(i, Status.COMPLETE);
    i.restart(RestartFrom.step("b"));
    InstanceStatus s = h.await(i, Status.COMPLETE);
    assertEquals("ABC", s.output(String.class));
    assertEquals(1, ran(id, "a"));
    assertEquals(2, ran(id, "b"));
    assertEquals(2, ran(id, "c"));
    WorkflowException e = assertThrows(WorkflowException.class,
        () -> i.restart(RestartFrom.step("nope")));
    assertEquals(WorkflowException.Reason.INVALID, e.reason());
  }

  @Test
  void restartOfATerminatedInstanceRunsItAgain() {
    String id = id();
    // waiting for an approval, so the terminate cannot come after the end however slow the
    // machine (it did, with two 50 ms steps, on a loaded machine)
    WorkflowInstance i = client("approval").create(id, new ApprovalParams(3_600_000));
    h.await(i, Status.WAITING);
    i.terminate();
    assertEquals(Status.TERMINATED, i.status().status());
    i.restart();
    h.await(i, Status.WAITING);
    assertEquals(2, ran(id, "prepare"), "the restart did not run the instance again");
    i.sendEvent("approval", new Decision(true, "second time"));
    assertEquals("approved: second time", h.await(i, Status.COMPLETE).output(String.class));
  }

  // ------------------------------------------------------------------ limits and input

  @Test
  void stepLimitAllowsExactlyTheLimit() {
    h.close();
    h = new EngineHarness(db, EngineHarness.fastConfig("limited").withStepLimit(10))
        .register(TestWorkflows.ManyStepsWorkflow.class, TestWorkflows.ManyStepsWorkflow::new)
        .start();
    WorkflowInstance ok = client("many-steps").create(id(), 10);
    assertEquals(10, h.await(ok, Status.COMPLETE).output(Integer.class));
    WorkflowInstance over = client("many-steps").create(id(), 11);
    InstanceStatus s = h.await(over, Status.ERRORED);
    assertEquals("StepLimitExceeded", s.error().name());
  }

  @Test
  void idsAreCheckedAndUnique() {
    WorkflowClient<Void> c = client("three-phase");
    String id = id();
    c.create(id, null);
    WorkflowException dup = assertThrows(WorkflowException.class, () -> c.create(id, null));
    assertEquals(WorkflowException.Reason.ALREADY_EXISTS, dup.reason());
    assertEquals(WorkflowException.Reason.INVALID,
        assertThrows(WorkflowException.class, () -> c.create("has space", null)).reason());
    assertEquals(WorkflowException.Reason.INVALID,
        assertThrows(WorkflowException.class, () -> c.create("x".repeat(101), null)).reason());
    assertEquals(WorkflowException.Reason.INSTANCE_NOT_FOUND,
        assertThrows(WorkflowException.class, () -> c.get("missing")).reason());
  }

  @Test
  void createBatchSkipsIdsInUse() {
    WorkflowClient<Void> c = client("three-phase");
    String taken = id();
    c.create(taken, null);
    String fresh = id();
    List<WorkflowInstance> made = c.createBatch(List.of(
        new NewInstance<>(taken, null), new NewInstance<>(fresh, null), new NewInstance<>(null, null)));
    assertEquals(2, made.size());
    assertEquals(fresh, made.get(0).id());
    h.await(made.get(1), Status.COMPLETE);
    assertThrows(WorkflowException.class, () -> c.createBatch(List.of()));
  }

  @Test
  void batchesOfIdsInUseGiveTheirWorkersBack() {
    // createBatch reserves a worker for each instance it may start at once; one whose id is
    // taken must give it back, or two workers are gone after the first such batch
    h.close();
    h = new EngineHarness(db, EngineHarness.fastConfig("two-workers").withWorkers(2))
        .register(TestWorkflows.ThreePhaseWorkflow.class, TestWorkflows.ThreePhaseWorkflow::new)
        .start();
    WorkflowClient<Void> c = client("three-phase");
    String a = id();
    String b = id();
    for (WorkflowInstance w : c.createBatch(List.of(new NewInstance<>(a, null),
        new NewInstance<>(b, null)))) {
      h.await(w, Status.COMPLETE);
    }
    for (int i = 0; i < 5; i++) {
      assertEquals(List.of(), c.createBatch(List.of(new NewInstance<>(a, null),
          new NewInstance<>(b, null))));
    }
    List<WorkflowInstance> more = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      more.add(c.create(id(), null));
    }
    for (WorkflowInstance w : more) {
      h.await(w, Status.COMPLETE);
    }
  }

  @Test
  void oversizedParamsAreRefused() {
    WorkflowClient<String> c = client("many-steps");
    WorkflowException e = assertThrows(WorkflowException.class,
        () -> c.create(id(), "x".repeat(1024 * 1024)));
    assertEquals(WorkflowException.Reason.TOO_LARGE, e.reason());
  }

  // ------------------------------------------------------------------ concurrency and recovery

  @Test
  void stepsRunConcurrentlyAndJoin() {
    String id = id();
    WorkflowInstance i = client("fan-out").create(id, 4);
    InstanceStatus s = h.await(i, Status.COMPLETE);
    assertEquals(6, s.output(Integer.class));
    List<long[]> times = TestWorkflows.BRANCH_TIMES.get(id);
    long lastStart = times.stream().mapToLong(t -> t[0]).max().orElseThrow();
    long firstEnd = times.stream().filter(t -> t[1] > 0).mapToLong(t -> t[1]).min().orElseThrow();
    assertTrue(lastStart < firstEnd, "every branch started before the first one ended");
  }

  @Test
  void anotherServerTakesOverWhenTheLeaseRunsOut() {
    String id = id();
    WorkflowInstance i = client("long").create(id, new LongParams(1_000, 3));
    h.await(i, Status.RUNNING, Duration.ofSeconds(5));
    EngineHarness.sleep(1_300); // step 1 done, step 2 in flight for ~300 ms (start recorded)
    h.crash();
    EngineHarness other = newHarness("server-b").start();
    try {
      InstanceStatus s = other.await(other.engine.client("long").get(id), Status.COMPLETE,
          Duration.ofSeconds(20));
      assertEquals(3, s.output(Integer.class));
      assertEquals(1, ran(id, "step 1"), "a completed step never runs again");
      assertEquals(2, ran(id, "step 2"), "the step in flight ran again");
      WorkflowEngine.InstanceView v = other.engine.view("long", id);
      List<AttemptRecord> a = v.attempts().get("do:step 2-1");
      assertEquals(2, a.size(), "the lost attempt stays recorded");
      assertEquals("AttemptLost", a.get(0).errorName());
      assertEquals(true, a.get(1).success());
    } finally {
      other.close();
    }
  }

  @Test
  void observabilityEventsDescribeTheRun() {
    String id = id();
    WorkflowInstance i = client("flaky").create(id, new FlakyParams(1, 2, 10, "constant", false));
    h.await(i, Status.COMPLETE);
    EngineHarness.sleep(50);
    List<EngineEvent.Type> types = h.events.stream().filter(e -> id.equals(e.instanceId()))
        .map(EngineEvent::type).toList();
    assertEquals(List.of(EngineEvent.Type.WORKFLOW_QUEUED, EngineEvent.Type.WORKFLOW_START,
        EngineEvent.Type.STEP_START, EngineEvent.Type.ATTEMPT_START,
        EngineEvent.Type.ATTEMPT_FAILURE, EngineEvent.Type.ATTEMPT_START,
        EngineEvent.Type.ATTEMPT_SUCCESS, EngineEvent.Type.STEP_SUCCESS,
        EngineEvent.Type.WORKFLOW_SUCCESS), types);
  }

  @Test
  void theJournalShowsStepsSleepsAndWaitsInOrder() {
    String id = id();
    WorkflowInstance i = client("orders").create(id, new Order("j", List.of(new Item("a", 1, 1))));
    h.await(i, Status.COMPLETE);
    List<StepRecord> steps = h.engine.view("orders", id).steps();
    assertEquals(List.of("do:load items-1", "do:price-1", "sleep:cool down-1", "do:receipt-1"),
        steps.stream().map(StepRecord::key).toList());
    Map<String, List<AttemptRecord>> attempts = h.engine.view("orders", id).attempts();
    assertEquals(1, attempts.get("do:price-1").size());
  }

  /**
   * A wake-up costs one commit: the end of the sleep goes with the turn's next write (the step
   * after it, or the end of the instance), not in one of its own.
   */
  @Test
  void theEndOfASleepIsWrittenWithTheTurnsNextWrite() {
    for (long payload : new long[] {-600, 600}) {
      String id = id();
      WorkflowInstance i = client("nap").create(id, payload);
      h.await(i, Status.WAITING, Duration.ofSeconds(5));
      EngineHarness.sleep(200); // the first turn's writes are all counted
      long before = h.engine.journal().counters()[1];
      h.await(i, Status.COMPLETE);
      long writes = h.engine.journal().counters()[1] - before;
      // the instance's end; the step's end and then the instance's end
      assertEquals(payload < 0 ? 1 : 2, writes, "journal writes of the wake-up turn");
      StepRecord nap = h.engine.view("nap", id).steps().get(0);
      assertEquals(StepState.SLEPT, nap.state());
      assertTrue(nap.endedAt() >= nap.dueAt(), nap.toString());
    }
  }

  @Test
  void aWakeUpWritesItsInstanceRowTwiceTheClaimThatStartsItsTurnAndItsEnd() {
    h.close();
    SqlLog sql = new SqlLog();
    h = new EngineHarness(sql.wrap(db), EngineHarness.fastConfig("server-a"))
        .register(TestWorkflows.NapWorkflow.class, TestWorkflows.NapWorkflow::new)
        .start();
    String id = id();
    WorkflowInstance i = client("nap").create(id, -600L);
    h.await(i, Status.WAITING, Duration.ofSeconds(5));
    EngineHarness.sleep(100); // the first turn has ended
    String uid = h.engine.view("nap", id).instance().uid();
    sql.recording = true;
    h.await(i, Status.COMPLETE);
    sql.recording = false;
    // the lease keeper may extend the lease meanwhile: not a write of the turn's; a poll may try
    // a claim that finds the instance no longer due: no row written
    List<SqlLog.Executed> writes = sql.executed(e -> e.sql().startsWith("UPDATE sf_instance")
        && !e.sql().startsWith("UPDATE sf_instance SET lease_until") && e.params().contains(uid)
        && e.rows() != 0);
    assertEquals(2, writes.size(), "the claim (which marks it running) and the end: " + writes);
    InstanceStatus s = i.status();
    assertEquals(Status.COMPLETE, s.status());
    InstanceRecord row = h.engine.view("nap", id).instance();
    assertTrue(row.startedAt() != null && row.startedAt() <= row.endedAt(), row.toString());
  }

  @Test
  void aWaitIsRecordedWithTheReleaseThatMakesTheInstanceWait() {
    String id = id();
    long before = h.engine.journal().counters()[1];
    WorkflowInstance i = client("approval").create(id, new ApprovalParams(60_000));
    h.await(i, Status.WAITING, Duration.ofSeconds(5));
    EngineHarness.sleep(100);
    long writes = h.engine.journal().counters()[1] - before;
    // the create, the step "prepare", the wait with the release (3 writes with the wait alone)
    assertEquals(3, writes, "journal writes from the create until it waits");
    StepRecord wait = h.engine.view("approval", id).steps().get(1);
    assertEquals(StepState.WAITING, wait.state());
    i.sendEvent("approval", new Decision(true, "ok"));
    assertEquals("approved: ok", h.await(i, Status.COMPLETE).output(String.class));
  }

  @Test
  void aSleepIsRecordedWithTheReleaseThatPutsTheInstanceToSleep() {
    String id = id();
    long before = h.engine.journal().counters()[1];
    WorkflowInstance i = client("nap").create(id, 60_000L);
    h.await(i, Status.WAITING, Duration.ofSeconds(5));
    EngineHarness.sleep(100);
    // the create, the sleep with the release (2 writes with the sleep alone)
    assertEquals(2, h.engine.journal().counters()[1] - before, "journal writes until it sleeps");
    StepRecord nap = h.engine.view("nap", id).steps().get(0);
    assertEquals(StepState.SLEEPING, nap.state());
    assertEquals(nap.startedAt() + 60_000, (long) nap.dueAt(), nap.toString());
  }

  @Test
  void aWaitKeepsItsStartWhenAnEventOfAnotherTypeRefusesTheReleaseThatRecordsIt() {
    String id = id();
    long[] reached = new long[1];
    h.engine.setTestHooks(new TestHooks() {
      @Override
      public java.util.Optional<java.util.Optional<Object>> event(String workflow,
          String instanceId, String name, String type) {
        if (id.equals(instanceId) && reached[0] == 0) {
          reached[0] = System.currentTimeMillis();
          // after the turn's look for a buffered "approval" and before its end: that end is
          // refused (the instance changed), and the instance runs again
          client("approval").get(id).sendEvent("unrelated", 1);
          EngineHarness.sleep(150);
        }
        return java.util.Optional.empty();
      }
    });
    WorkflowInstance i = client("approval").create(id, new ApprovalParams(60_000));
    h.await(i, Status.WAITING, Duration.ofSeconds(5));
    h.engine.setTestHooks(null);
    long deadline = System.currentTimeMillis() + 5_000;
    while (h.engine.view("approval", id).steps().size() < 2
        && System.currentTimeMillis() < deadline) {
      EngineHarness.sleep(20); // the turn after the refusal records it, if the refusal did not
    }
    StepRecord wait = h.engine.view("approval", id).steps().get(1);
    assertEquals(StepState.WAITING, wait.state());
    // begun when the first turn reached it, not when the turn after the refusal did (150 ms on)
    assertTrue(wait.startedAt() <= reached[0], wait + " reached at " + reached[0]);
    assertEquals(wait.startedAt() + 60_000, (long) wait.dueAt(), wait.toString());
    i.sendEvent("approval", new Decision(true, "ok"));
    assertEquals("approved: ok", h.await(i, Status.COMPLETE).output(String.class));
  }

  @Test
  void aQueuedInstanceOfAWorkflowThisServerDoesNotRunStaysQueuedForOneThatDoes() {
    WorkflowDefinition elsewhere = WorkflowDefinition.of("elsewhere", "ELSEWHERE",
        TestWorkflows.NapWorkflow.class, TestWorkflows.NapWorkflow::new);
    long now = System.currentTimeMillis();
    String uid = new LocalTransactor(h.emf).inTransaction(em -> {
      h.engine.store().registerWorkflow(em, "elsewhere", "x", "ELSEWHERE", "v", now);
      dev.steadfast.workflow.store.InstanceEntity e =
          h.engine.newInstance(elsewhere, "queued-elsewhere", "600", now, null);
      h.engine.store().execute(em, List.of(
          dev.steadfast.workflow.store.WorkflowStore.insertInstanceStmt(e, null)));
      return e.getUid();
    });
    // this server's polls claim it and let it go again (due a few poll intervals later)
    long deadline = System.currentTimeMillis() + 5_000;
    InstanceRecord row;
    do {
      EngineHarness.sleep(50);
      row = h.engine.reads().journal("elsewhere", "queued-elsewhere").instance();
    } while (row.dueAt() == now && System.currentTimeMillis() < deadline);
    assertTrue(row.dueAt() > now, "claimed and passed on: " + row);
    assertEquals(Status.QUEUED.wireName(), row.status(), row.toString());
    assertNull(row.startedAt(), row.toString());
    assertNull(row.owner(), row.toString());
    assertEquals(uid, row.uid());
    assertTrue(h.events.stream().noneMatch(ev -> "queued-elsewhere".equals(ev.instanceId())),
        "no start announced: " + h.events);
  }

  @Test
  void finishedInstancesArePurgedAfterTheRetentionPeriod() {
    h.close();
    h = new EngineHarness(db, EngineHarness.fastConfig("retention").withRetention(Duration.ofMillis(200)))
        .register(TestWorkflows.ThreePhaseWorkflow.class, TestWorkflows.ThreePhaseWorkflow::new)
        .register(TestWorkflows.ApprovalWorkflow.class, TestWorkflows.ApprovalWorkflow::new)
        .start();
    WorkflowInstance done = client("three-phase").create(id(), null);
    WorkflowInstance waiting = client("approval").create(id(), new ApprovalParams(60_000));
    h.await(done, Status.COMPLETE);
    h.await(waiting, Status.WAITING);
    EngineHarness.sleep(300);
    h.engine.sweepRetention();
    assertEquals(WorkflowException.Reason.INSTANCE_NOT_FOUND,
        assertThrows(WorkflowException.class, () -> client("three-phase").get(done.id())).reason());
    assertEquals(Status.WAITING, waiting.status().status(), "unfinished instances are kept");
  }
}
