package dev.steadfast.workflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.ErrorInfo;
import dev.steadfast.workflow.InstanceEvent;
import dev.steadfast.workflow.InstanceEventStream;
import dev.steadfast.workflow.RestartFrom;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.TestWorkflows.ApprovalParams;
import dev.steadfast.workflow.engine.TestWorkflows.Decision;
import dev.steadfast.workflow.engine.TestWorkflows.FlakyParams;
import dev.steadfast.workflow.engine.TestWorkflows.Item;
import dev.steadfast.workflow.engine.TestWorkflows.LongParams;
import dev.steadfast.workflow.engine.TestWorkflows.Order;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The instance event stream on a real database (the subclasses choose H2 or PostgreSQL). */
abstract class EventStreamContract {
  /** Status reports (running, waiting…) depend on when the journal is read; history does not. */
  static final Set<String> STATUS = Set.of("workflow_running", "workflow_waiting",
      "workflow_paused", "workflow_waiting_for_pause");
  static final Predicate<InstanceEvent> HISTORY = e -> !STATUS.contains(e.type());

  protected EngineHarness h;
  protected DataSource db;

  abstract DataSource newDatabase();

  @BeforeEach
  void startEngine() {
    db = newDatabase();
    h = harness("server-a").start();
  }

  EngineHarness harness(String serverId) {
    return new EngineHarness(db, EngineHarness.fastConfig(serverId))
        .register(TestWorkflows.OrderWorkflow.class, TestWorkflows.OrderWorkflow::new)
        .register(TestWorkflows.FlakyWorkflow.class, TestWorkflows.FlakyWorkflow::new)
        .register(TestWorkflows.ApprovalWorkflow.class, TestWorkflows.ApprovalWorkflow::new)
        .register(TestWorkflows.LongWorkflow.class, TestWorkflows.LongWorkflow::new)
        .register(TestWorkflows.ThreePhaseWorkflow.class, TestWorkflows.ThreePhaseWorkflow::new);
  }

  @AfterEach
  void stopEngine() {
    h.close();
    if (db instanceof org.h2.jdbcx.JdbcConnectionPool p) {
      p.dispose();
    }
  }

  static String id() {
    return "ev-" + UUID.randomUUID();
  }

  /** Everything the stream delivers until it ends. */
  static List<InstanceEvent> drain(InstanceEventStream s) throws InterruptedException {
    List<InstanceEvent> out = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!s.isEnded()) {
      assertTrue(System.nanoTime() < deadline, "the stream did not end; got " + types(out));
      InstanceEvent e = s.next(Duration.ofMillis(200));
      if (e != null) {
        out.add(e);
      }
    }
    return out;
  }

  static List<String> types(List<InstanceEvent> events) {
    return events.stream().map(e -> e.type() + (e.field("stepName") == null ? ""
        : "(" + e.field("stepName") + (e.field("attempt") == null ? "" : "#" + e.field("attempt"))
        + ")")).toList();
  }

  static List<InstanceEvent> history(List<InstanceEvent> events) {
    return events.stream().filter(HISTORY).toList();
  }

  static void assertIncreasingUnique(List<InstanceEvent> events) {
    Set<Long> seen = new HashSet<>();
    for (InstanceEvent e : events) {
      assertTrue(seen.add(e.eventId()), "event id " + e.eventId() + " repeated: " + types(events));
    }
  }

  @Test
  void stepsAndASleepLiveThenTheSameHistoryReplayed() throws Exception {
    WorkflowInstance i = h.engine.<Order>client("orders").create(id(),
        new Order("ada", List.of(new Item("a", 2, 1.5))));
    List<InstanceEvent> live = drain(i.subscribe(0, null));
    List<String> expected = List.of("workflow_queued", "workflow_started",
        "step_started(load items)", "attempt_started(load items#1)",
        "attempt_completed(load items#1)", "step_completed(load items)",
        "step_started(price)", "attempt_started(price#1)", "attempt_completed(price#1)",
        "step_completed(price)", "sleep_started(cool down)", "sleep_completed(cool down)",
        "step_started(receipt)", "attempt_started(receipt#1)", "attempt_completed(receipt#1)",
        "step_completed(receipt)", "workflow_completed");
    assertEquals(expected, types(history(live)));
    assertIncreasingUnique(live);
    InstanceEvent sleep = live.stream().filter(e -> e.type().equals("sleep_started")).findFirst()
        .orElseThrow();
    assertEquals(150L, sleep.field("durationMs"));
    InstanceEvent end = live.get(live.size() - 1);
    assertEquals("{\"customer\":\"ada\",\"lines\":1,\"total\":3.0}", end.field("output"));
    assertTrue(((String) live.get(1).field("params")).contains("\"customer\":\"ada\""));
    // a subscriber that comes after the end reads the same history from the journal
    List<InstanceEvent> replay = drain(i.subscribe(0, null));
    assertEquals(history(live), replay);
  }

  @Test
  void retriesShowEachAttemptWithItsErrorAndDelay() throws Exception {
    WorkflowInstance i = h.engine.<FlakyParams>client("flaky").create(id(),
        new FlakyParams(2, 3, 80, "constant", false));
    List<InstanceEvent> events = history(drain(i.subscribe(0, null)));
    assertEquals(List.of("workflow_queued", "workflow_started", "step_started(call)",
        "attempt_started(call#1)", "attempt_errored(call#1)", "attempt_started(call#2)",
        "attempt_errored(call#2)", "attempt_started(call#3)", "attempt_completed(call#3)",
        "step_completed(call)", "workflow_completed"), types(events));
    InstanceEvent first = events.get(4);
    assertEquals(new ErrorInfo("IllegalStateException", "boom 1"), first.field("error"));
    assertTrue((Long) first.field("retryDelayMs") >= 80, "delay " + first.field("retryDelayMs"));
    assertTrue(((String) events.get(2).field("config")).contains("\"limit\":3"));
  }

  @Test
  void exhaustedRetriesErrorTheStepAndTheInstance() throws Exception {
    WorkflowInstance i = h.engine.<FlakyParams>client("flaky").create(id(),
        new FlakyParams(5, 1, 10, "constant", false));
    List<InstanceEvent> events = history(drain(i.subscribe(0, null)));
    assertEquals(List.of("workflow_queued", "workflow_started", "step_started(call)",
        "attempt_started(call#1)", "attempt_errored(call#1)", "attempt_started(call#2)",
        "attempt_errored(call#2)", "step_errored(call)", "workflow_errored"), types(events));
    assertFalse(events.get(6).fields().containsKey("retryDelayMs"),
        "no retry after the last: " + events);
    assertEquals("boom 2", ((ErrorInfo) events.get(8).field("error")).message());
  }

  @Test
  void aWaitReceivesItsEventOrTimesOut() throws Exception {
    WorkflowInstance approved = h.engine.<ApprovalParams>client("approval").create(id(),
        new ApprovalParams(60_000));
    InstanceEventStream s = approved.subscribe(0, null);
    List<InstanceEvent> seen = new ArrayList<>();
    while (seen.stream().noneMatch(e -> e.type().equals("wait_started"))) {
      InstanceEvent e = s.next(Duration.ofSeconds(10));
      assertNotNull(e, "no wait_started; got " + types(seen));
      seen.add(e);
    }
    InstanceEvent wait = seen.get(seen.size() - 1);
    assertEquals("approval", wait.field("eventType"));
    assertEquals(60_000L, wait.field("timeoutMs"));
    approved.sendEvent("approval", new Decision(true, "fine"));
    seen.addAll(drain(s));
    List<String> prefix = List.of("workflow_queued", "workflow_started",
        "step_started(prepare)", "attempt_started(prepare#1)", "attempt_completed(prepare#1)",
        "step_completed(prepare)", "wait_started(approval)");
    List<String> received = new ArrayList<>(prefix);
    received.addAll(List.of("wait_completed(approval)", "workflow_completed"));
    assertEquals(received, types(history(seen)));

    WorkflowInstance late = h.engine.<ApprovalParams>client("approval").create(id(),
        new ApprovalParams(1000));
    List<String> timedOut = types(history(drain(late.subscribe(0, null))));
    List<String> expected = new ArrayList<>(prefix);
    expected.addAll(List.of("wait_timed_out(approval)", "step_started(escalate)",
        "attempt_started(escalate#1)", "attempt_completed(escalate#1)",
        "step_completed(escalate)", "workflow_completed"));
    assertEquals(expected, timedOut);
  }

  @Test
  void pauseResumeAndTerminateAreSeenLiveAndTheStreamEnds() throws Exception {
    WorkflowInstance i = h.engine.<ApprovalParams>client("approval").create(id(),
        new ApprovalParams(60_000));
    InstanceEventStream s = i.subscribe(0, null);
    List<InstanceEvent> seen = new ArrayList<>();
    awaitType(s, seen, "wait_started");
    i.pause();
    awaitType(s, seen, "workflow_paused");
    i.resume();
    awaitType(s, seen, "workflow_waiting");
    i.terminate();
    seen.addAll(drain(s));
    assertEquals("workflow_terminated", seen.get(seen.size() - 1).type());
    assertIncreasingUnique(seen);
    // replayed, the terminated instance shows its history; the pause is not history
    List<String> replay = types(drain(i.subscribe(0, null)));
    assertEquals("workflow_terminated", replay.get(replay.size() - 1));
    assertFalse(replay.contains("workflow_paused"));
  }

  @Test
  void aRestartedInstanceStreamsItsNewRunAfterTheOldEnd() throws Exception {
    WorkflowInstance i = h.engine.<Void>client("three-phase").create(id(), null);
    List<InstanceEvent> first = drain(i.subscribe(0, null));
    long end = first.get(first.size() - 1).eventId();
    List<InstanceEvent> firstSteps = first.stream()
        .filter(e -> e.type().equals("step_completed")).toList();
    i.restart(new RestartFrom("b", 1, "do"));
    List<InstanceEvent> second = drain(i.subscribe(end, null));
    assertTrue(second.stream().allMatch(e -> e.eventId() > end), types(second).toString());
    List<String> t = types(history(second));
    assertEquals("workflow_started", t.get(0));
    assertFalse(t.contains("step_started(a)"), "the kept step is not streamed again: " + t);
    assertTrue(t.contains("step_completed(b)"), t.toString());
    assertEquals("workflow_completed", t.get(t.size() - 1));
    // the kept step keeps its id; a replay from the start shows it once
    List<InstanceEvent> replay = drain(i.subscribe(0, null));
    assertEquals(firstSteps.get(0).eventId(), replay.stream()
        .filter(e -> e.type().equals("step_completed")).findFirst().orElseThrow().eventId());
  }

  @Test
  void resumingFromACursorLosesAndRepeatsNothing() throws Exception {
    WorkflowInstance i = h.engine.<LongParams>client("long").create(id(), new LongParams(40, 6));
    InstanceEventStream s = i.subscribe(0, HISTORY);
    List<InstanceEvent> got = new ArrayList<>();
    while (got.size() < 5) {
      InstanceEvent e = s.next(Duration.ofSeconds(10));
      assertNotNull(e);
      got.add(e);
    }
    s.close();
    long cursor = got.get(got.size() - 1).eventId();
    got.addAll(drain(i.subscribe(cursor, HISTORY)));
    List<InstanceEvent> all = drain(i.subscribe(0, HISTORY));
    assertEquals(all, got);
    // and from a cursor in the middle of a finished history: exactly the rest
    long mid = all.get(10).eventId();
    assertEquals(all.subList(11, all.size()), drain(i.subscribe(mid, null)));
  }

  @Test
  void aFilterKeepsOnlyWhatItAsksForAndStillEnds() throws Exception {
    WorkflowInstance i = h.engine.<LongParams>client("long").create(id(), new LongParams(1, 3));
    List<InstanceEvent> steps = drain(i.subscribe(0, e -> e.type().equals("step_completed")));
    assertEquals(List.of("step_completed(step 1)", "step_completed(step 2)",
        "step_completed(step 3)"), types(steps));
  }

  @Test
  void manySubscribersShareOneReadOfTheJournal() throws Exception {
    WorkflowInstance i = h.engine.<LongParams>client("long").create(id(), new LongParams(20, 5));
    List<InstanceEventStream> streams = new ArrayList<>();
    for (int n = 0; n < 100; n++) {
      streams.add(i.subscribe(0, null));
    }
    List<InstanceEvent> first = drain(streams.get(0));
    for (InstanceEventStream s : streams.subList(1, streams.size())) {
      assertEquals(history(first), history(drain(s)));
    }
    long reads = h.engine.events().reads();
    assertTrue(reads < 60, "journal reads for 100 subscribers of one instance: " + reads);
  }

  @Test
  void anUnknownInstanceIsAnError() {
    assertThrows(WorkflowException.class,
        () -> h.engine.client("orders").get(id()).subscribe(0, null));
  }

  static void awaitType(InstanceEventStream s, List<InstanceEvent> seen, String type)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (seen.stream().noneMatch(e -> e.type().equals(type))) {
      assertTrue(System.nanoTime() < deadline, "no " + type + "; got " + types(seen));
      InstanceEvent e = s.next(Duration.ofMillis(200));
      if (e != null) {
        seen.add(e);
      }
    }
  }
}
