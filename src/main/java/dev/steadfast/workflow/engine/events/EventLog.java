package dev.steadfast.workflow.engine.events;

import dev.steadfast.workflow.ErrorInfo;
import dev.steadfast.workflow.InstanceEvent;
import dev.steadfast.workflow.RollbackOutcome;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.engine.Json;
import dev.steadfast.workflow.engine.Redaction;
import dev.steadfast.workflow.store.AttemptRecord;
import dev.steadfast.workflow.store.InstanceRecord;
import dev.steadfast.workflow.store.StepRecord;
import dev.steadfast.workflow.store.StepState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Derives an instance's numbered events from its journal: the instance row (queued, started,
 * its end, and its present status) and the step and attempt rows of the current run generation.
 * A pure function of the rows, so every server, and every replay, reads the same events.
 *
 * <p>Order: by time, then by the step's journal order, then by position inside the step (start,
 * attempts, end). Ids: time in milliseconds × 1,000 + rank inside that millisecond; the present
 * status (running, waiting…), which a later read replaces, always has rank 999, so the ids of
 * recorded events do not move when it comes and goes. The journal
 * keeps no history of past statuses, so only the present one (running, waiting, paused…) is
 * derived; a subscriber that is live sees each status as it changes.
 */
public final class EventLog {
  private static final Json JSON = new Json();
  /** Position of instance events relative to step events recorded in the same millisecond. */
  private static final int FIRST = Integer.MIN_VALUE;
  private static final int LAST = Integer.MAX_VALUE;
  /** The rank of a status report inside its millisecond; recorded events rank below it. */
  private static final int STATUS_RANK = 999;

  private EventLog() {}

  /** The events recorded for {@code r}, in order, with their ids. */
  public static List<InstanceEvent> derive(
      InstanceRecord r, List<StepRecord> steps, Map<String, List<AttemptRecord>> attempts) {
    return derive(r, steps, attempts, null);
  }

  /**
   * As above, for an instance whose rollback ended with {@code rollback} (null: none ran): its
   * terminal event carries it (a {@link RollbackOutcome}) in the field {@code rollback}.
   */
  public static List<InstanceEvent> derive(InstanceRecord r, List<StepRecord> steps,
      Map<String, List<AttemptRecord>> attempts, RollbackOutcome rollback) {
    List<Draft> drafts = new ArrayList<>();
    drafts.add(new Draft(r.createdAt(), FIRST, 0, "workflow_queued", Map.of()));
    if (r.startedAt() != null) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("params", r.params() == null ? "null" : r.params());
      drafts.add(new Draft(r.startedAt(), FIRST, 1, "workflow_started", f));
    }
    for (StepRecord s : steps) {
      step(drafts, s, attempts.getOrDefault(s.key(), List.of()));
    }
    Status status = Status.fromWireName(r.status());
    if (status.isFinished()) {
      long end = r.endedAt() != null ? r.endedAt() : r.modifiedAt();
      Map<String, Object> f = new LinkedHashMap<>();
      String type = switch (status) {
        case COMPLETE -> {
          f.put("output", r.output() == null ? "null" : r.output());
          yield "workflow_completed";
        }
        case ERRORED -> {
          f.put("error", new ErrorInfo(nz(r.errorName()), nz(r.errorMessage())));
          yield "workflow_errored";
        }
        default -> "workflow_terminated";
      };
      if (rollback != null) {
        f.put("rollback", rollback);
      }
      drafts.add(new Draft(end, LAST, 1, type, f));
    } else if (status != Status.UNKNOWN && (status != Status.QUEUED || r.startedAt() != null)) {
      drafts.add(new Draft(r.modifiedAt(), LAST, 0, statusType(status), Map.of()));
    }
    drafts.sort(Comparator.comparingLong(Draft::at).thenComparingInt(Draft::seq)
        .thenComparingInt(Draft::slot));
    List<InstanceEvent> events = new ArrayList<>(drafts.size());
    long ms = Long.MIN_VALUE;
    int rank = 0;
    for (Draft d : drafts) {
      long id;
      if (d.seq == LAST && d.slot == 0) {
        // the present status: a report that the next read replaces, so it must not take a rank
        // an event recorded later in the same millisecond would get (that event would look
        // published already); it has the last id of its millisecond, which no other event has
        id = d.at * 1000 + STATUS_RANK;
      } else {
        rank = d.at == ms ? Math.min(rank + 1, STATUS_RANK - 1) : 0;
        ms = d.at;
        id = d.at * 1000 + rank;
      }
      events.add(new InstanceEvent(r.instanceId(), id, Instant.ofEpochMilli(d.at), d.type,
          d.fields));
    }
    return events;
  }

  /** The event type that reports a status which is not an end (running, waiting, paused…). */
  public static String statusType(Status s) {
    return switch (s) {
      case QUEUED -> "workflow_queued";
      case RUNNING -> "workflow_running";
      case PAUSED -> "workflow_paused";
      case WAITING -> "workflow_waiting";
      case WAITING_FOR_PAUSE -> "workflow_waiting_for_pause";
      case ROLLING_BACK -> "workflow_rolling_back";
      default -> throw new IllegalArgumentException("not a transient status: " + s);
    };
  }

  private static void step(List<Draft> out, StepRecord s, List<AttemptRecord> attempts) {
    Map<String, Object> name = new LinkedHashMap<>();
    name.put("stepName", s.name());
    name.put("count", s.occurrence());
    switch (s.kind()) {
      case "sleep" -> {
        Map<String, Object> f = new LinkedHashMap<>(name);
        if (s.dueAt() != null) {
          f.put("durationMs", Math.max(0, s.dueAt() - s.startedAt()));
        }
        out.add(new Draft(s.startedAt(), s.seq(), 0, "sleep_started", f));
        if (StepState.SLEPT.equals(s.state())) {
          long end = s.endedAt() != null ? s.endedAt()
              : s.dueAt() != null ? s.dueAt() : s.startedAt();
          out.add(new Draft(end, s.seq(), LAST, "sleep_completed", name));
        }
      }
      case "waitForEvent" -> {
        Map<String, Object> f = new LinkedHashMap<>(name);
        f.put("eventType", nz(s.eventType()));
        if (s.dueAt() != null) {
          f.put("timeoutMs", Math.max(0, s.dueAt() - s.startedAt()));
        }
        out.add(new Draft(s.startedAt(), s.seq(), 0, "wait_started", f));
        if (StepState.RECEIVED.equals(s.state()) || StepState.TIMED_OUT.equals(s.state())) {
          long end = s.endedAt() != null ? s.endedAt() : s.startedAt();
          Map<String, Object> e = new LinkedHashMap<>(name);
          e.put("eventType", nz(s.eventType()));
          out.add(new Draft(end, s.seq(), LAST, StepState.RECEIVED.equals(s.state())
              ? "wait_completed" : "wait_timed_out", e));
        }
      }
      case "rollback" -> doStep(out, s, attempts, "rollback_", "rollback_attempt_");
      default -> doStep(out, s, attempts, "step_", "attempt_");
    }
  }

  /**
   * A do step ({@code step_started}, {@code attempt_started}, …) or a compensation ({@code
   * rollback_started}, {@code rollback_attempt_started}, …, named after the step it undoes).
   */
  private static void doStep(List<Draft> out, StepRecord s, List<AttemptRecord> attempts,
      String stepPrefix, String attemptPrefix) {
    Map<String, Object> start = new LinkedHashMap<>();
    start.put("stepName", s.name());
    start.put("count", s.occurrence());
    if (s.config() != null) {
      start.put("config", s.config());
    }
    out.add(new Draft(s.startedAt(), s.seq(), 0, stepPrefix + "started", start));
    for (int i = 0; i < attempts.size(); i++) {
      AttemptRecord a = attempts.get(i);
      int slot = 2 * a.attempt();
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("stepName", s.name());
      f.put("count", s.occurrence());
      f.put("attempt", a.attempt());
      out.add(new Draft(a.startedAt(), s.seq(), slot - 1, attemptPrefix + "started", f));
      if (a.endedAt() == null) {
        continue;
      }
      Map<String, Object> e = new LinkedHashMap<>(f);
      if (Boolean.TRUE.equals(a.success())) {
        out.add(new Draft(a.endedAt(), s.seq(), slot, attemptPrefix + "completed", e));
        continue;
      }
      Long delay = retryDelay(s, attempts, i);
      if (delay != null) {
        e.put("retryDelayMs", delay);
      }
      e.put("error", new ErrorInfo(nz(a.errorName()), nz(a.errorMessage())));
      out.add(new Draft(a.endedAt(), s.seq(), slot, attemptPrefix + "errored", e));
    }
    if (StepState.SUCCEEDED.equals(s.state()) || StepState.FAILED.equals(s.state())) {
      long end = s.endedAt() != null ? s.endedAt() : s.startedAt();
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("stepName", s.name());
      f.put("count", s.occurrence());
      if (StepState.SUCCEEDED.equals(s.state())) {
        String shown = Redaction.shownResult(s);
        f.put("output", shown == null ? "null" : shown);
        out.add(new Draft(end, s.seq(), LAST, stepPrefix + "completed", f));
      } else {
        f.put("error", new ErrorInfo(nz(s.errorName()), nz(s.errorMessage())));
        out.add(new Draft(end, s.seq(), LAST, stepPrefix + "errored", f));
      }
    }
  }

  /**
   * The delay before the attempt after {@code i}: the time the next attempt started (it ran), or
   * the step's due time (it waits for it); null when no attempt followed or follows.
   */
  private static Long retryDelay(StepRecord s, List<AttemptRecord> attempts, int i) {
    AttemptRecord a = attempts.get(i);
    if (i + 1 < attempts.size()) {
      return Math.max(0, attempts.get(i + 1).startedAt() - a.endedAt());
    }
    // the step row must be the one written with this attempt's end (a read may see the attempt
    // rows a moment later than the step row)
    if (StepState.RETRYING.equals(s.state()) && s.dueAt() != null && s.attempts() == a.attempt()) {
      return Math.max(0, s.dueAt() - a.endedAt());
    }
    return null;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  /** Parses one of the JSON fields ({@link InstanceEvent#JSON_FIELDS}) into plain values. */
  public static Object json(String text) {
    return JSON.read(text, Object.class);
  }

  private record Draft(long at, int seq, int slot, String type, Map<String, Object> fields) {}
}
