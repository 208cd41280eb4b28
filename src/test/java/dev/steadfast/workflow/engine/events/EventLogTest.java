package dev.steadfast.workflow.engine.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.InstanceEvent;
import dev.steadfast.workflow.store.AttemptRecord;
import dev.steadfast.workflow.store.InstanceRecord;
import dev.steadfast.workflow.store.StepRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The derivation of events from journal rows, on rows a read can really see. */
class EventLogTest {
  static final long T = 1_796_000_000_000L;

  static InstanceRecord instance(String status, Long startedAt, Long endedAt, long modifiedAt) {
    return new InstanceRecord("uid", "wf", "i-1", status, "{\"a\":1}", null, null, null, "api",
        "v1", T, modifiedAt, startedAt, endedAt, null, null, null, 1, 0, null);
  }

  static StepRecord step(String state, int attempts, int failures, Long dueAt) {
    return new StepRecord("do:call-1", 0, "do", "call", 1, state, "{}", null, null, "E", "boom",
        attempts, failures, T + 10, null, dueAt, null, null);
  }

  @Test
  void aStepRowReadBeforeItsNewestAttemptGivesThatAttemptNoRetryDelay() {
    // read committed: the step row still says "retrying after attempt 1" while the attempt rows
    // already show attempt 2 ended (the next journal write committed between the two reads)
    StepRecord stale = step("retrying", 1, 1, T + 1_020);
    List<AttemptRecord> attempts = List.of(
        new AttemptRecord(1, T + 10, T + 20, false, "E", "boom 1"),
        new AttemptRecord(2, T + 1_020, T + 1_030, false, "E", "boom 2"));
    List<InstanceEvent> events = EventLog.derive(instance("running", T + 5, null, T + 1_030),
        List.of(stale), Map.of("do:call-1", attempts));
    List<InstanceEvent> errored = events.stream()
        .filter(e -> e.type().equals("attempt_errored")).toList();
    assertEquals(1_000L, errored.get(0).field("retryDelayMs"));
    assertFalse(errored.get(1).fields().containsKey("retryDelayMs"), errored.get(1).toString());
  }

  @Test
  void theLastFailedAttemptOfARetryingStepHasTheDelayTheEngineScheduled() {
    StepRecord retrying = step("retrying", 1, 1, T + 520);
    List<InstanceEvent> events = EventLog.derive(instance("waiting", T + 5, null, T + 21),
        List.of(retrying), Map.of("do:call-1",
            List.of(new AttemptRecord(1, T + 10, T + 20, false, "E", "boom 1"))));
    InstanceEvent e = events.stream().filter(x -> x.type().equals("attempt_errored"))
        .findFirst().orElseThrow();
    assertEquals(500L, e.field("retryDelayMs"));
    assertEquals("workflow_waiting", events.get(events.size() - 1).type());
  }

  @Test
  void idsRankEventsOfOneMillisecondAndStayExactInJavaScript() {
    StepRecord done = new StepRecord("do:call-1", 0, "do", "call", 1, "succeeded", "{}", "1",
        "java.lang.Integer", null, null, 1, 0, T, T, null, null, null);
    List<InstanceEvent> events = EventLog.derive(instance("complete", T, T, T), List.of(done),
        Map.of("do:call-1", List.of(new AttemptRecord(1, T, T, true, null, null))));
    assertEquals(List.of("workflow_queued", "workflow_started", "step_started", "attempt_started",
        "attempt_completed", "step_completed", "workflow_completed"),
        events.stream().map(InstanceEvent::type).toList());
    for (int i = 0; i < events.size(); i++) {
      assertEquals(T * 1000 + i, events.get(i).eventId());
      assertTrue(events.get(i).eventId() < (1L << 53));
    }
  }

  @Test
  void aStatusReportNeverTakesTheIdOfAnEventRecordedLaterInTheSameMillisecond() {
    // a read between the claim and the first step, both in millisecond T: the present status
    // (running) is reported; the next read shows the step started in that millisecond too
    List<InstanceEvent> first = EventLog.derive(instance("running", T, null, T), List.of(),
        Map.of());
    StepRecord started = new StepRecord("do:call-1", 0, "do", "call", 1, "running", "{}", null,
        null, null, null, 1, 0, T, null, null, null, null);
    List<InstanceEvent> second = EventLog.derive(instance("running", T, null, T),
        List.of(started), Map.of("do:call-1", List.of(new AttemptRecord(1, T, null, null, null,
            null))));
    long running = first.stream().filter(e -> e.type().equals("workflow_running"))
        .findFirst().orElseThrow().eventId();
    for (InstanceEvent e : second) {
      if (!e.type().equals("workflow_running")) {
        assertTrue(e.eventId() != running, e + " has the id " + running
            + " that the earlier read gave the status report");
      }
    }
    // and the run's end, recorded in the millisecond the status was read, is news too
    StepRecord done = new StepRecord("do:call-1", 0, "do", "call", 1, "succeeded", "{}", "1",
        "java.lang.Integer", null, null, 1, 0, T, T, null, null, null);
    List<InstanceEvent> end = EventLog.derive(instance("complete", T, T, T), List.of(done),
        Map.of("do:call-1", List.of(new AttemptRecord(1, T, T, true, null, null))));
    long statusOfSecond = second.get(second.size() - 1).eventId();
    for (InstanceEvent e : end) {
      assertTrue(e.eventId() != running && e.eventId() != statusOfSecond, e.toString());
    }
  }

  @Test
  void aLiveSubscriberGetsTheStepThatStartedInTheMillisecondOfAReportedStatus() {
    Channel ch = new Channel("wf", "i-1");
    List<InstanceEvent> got = new java.util.ArrayList<>();
    EventSink sink = new EventSink() {
      @Override
      public boolean accept(InstanceEvent e) {
        return got.add(e);
      }

      @Override
      public void end(RuntimeException error) {}

      @Override
      public boolean heartbeat() {
        return true;
      }
    };
    ch.add(new Channel.Subscriber(sink, 0, null));
    InstanceRecord running = instance("running", T, null, T);
    ch.update(new dev.steadfast.workflow.engine.WorkflowEngine.InstanceView(running, List.of(),
        Map.of(), null), EventLog.derive(running, List.of(), Map.of()));
    StepRecord started = new StepRecord("do:call-1", 0, "do", "call", 1, "running", "{}", null,
        null, null, null, 1, 0, T, null, null, null, null);
    Map<String, List<AttemptRecord>> attempts = Map.of("do:call-1",
        List.of(new AttemptRecord(1, T, null, null, null, null)));
    ch.update(new dev.steadfast.workflow.engine.WorkflowEngine.InstanceView(running,
        List.of(started), attempts, null), EventLog.derive(running, List.of(started), attempts));
    assertEquals(List.of("workflow_queued", "workflow_started", "workflow_running",
        "step_started", "attempt_started"), got.stream().map(InstanceEvent::type).toList());
  }
}
