package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.NonRetryableError;
import dev.steadfast.workflow.StepFailedException;
import dev.steadfast.workflow.TypeRef;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.store.StepRecord;
import dev.steadfast.workflow.store.StepState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code step.race} and {@code step.any}: branches run concurrently, the first to settle (race)
 * or to succeed (any) decides, and the decision is journaled as a step row of kind {@value #KIND}
 * (its result or error), so a replay returns the same outcome without running any branch.
 *
 * <p>Once decided, the losing branches run no further step: each stops at its next step
 * boundary (a step it is running finishes and is recorded first, so nothing is left half done),
 * and the race returns when they all have. A race that is decided by a failure throws a {@link
 * StepFailedException} named after the race ({@link NonRetryableError} stays itself), the first
 * time and on replay; {@code any} whose branches all failed throws one named {@code
 * AggregateError}. While no branch has settled and some wait (sleep, event, retry), the instance
 * waits for the earliest of them, as {@code step.all} does.
 */
final class Races {
  /** The kind (and key prefix) of a race's journal row. */
  static final String KIND = "race";

  /** The error of an {@code any} whose branches all failed. */
  static final String AGGREGATE = "AggregateError";

  /** Set on a branch thread while it runs: true once its race is decided without it. */
  private static final ThreadLocal<AtomicBoolean> LOST = new ThreadLocal<>();

  /** Thrown at the next step boundary of a branch that lost its race. */
  static final class Lost extends Error {
    private static final long serialVersionUID = 1L;

    Lost() {
      super("the race was decided by another branch", null, false, false);
    }
  }

  private Races() {}

  /** Called at every step boundary: stops a branch whose race is already decided. */
  static void checkNotLost() {
    AtomicBoolean lost = LOST.get();
    if (lost != null && lost.get()) {
      throw new Lost();
    }
  }

  /** How one branch ended: its value, or what it threw. */
  private record Settled(Object value, Throwable error) {}

  @SuppressWarnings("unchecked")
  static <T> T run(Turn turn, String name, TypeRef<T> type, List<Callable<T>> branches,
      boolean any) {
    Limits.checkStepName(name);
    if (branches == null || branches.isEmpty()) {
      throw new WorkflowException(WorkflowException.Reason.INVALID,
          (any ? "any" : "race") + " '" + name + "' needs at least one branch");
    }
    turn.checkpoint();
    int count = turn.nextCount(KIND, name);
    String key = KIND + ":" + name + "-" + count;
    StepRecord rec = turn.recorded(key);
    if (rec != null) {
      return replay(turn, rec, type);
    }
    long start = turn.now();
    AtomicBoolean lost = new AtomicBoolean();
    ExecutorCompletionService<Settled> done = new ExecutorCompletionService<>(turn.branchPool());
    List<Future<Settled>> futures = new ArrayList<>();
    for (Callable<T> branch : branches) {
      futures.add(done.submit(() -> turn.inBranch(() -> {
        LOST.set(lost);
        try {
          return new Settled(branch.call(), null);
        } catch (Throwable t) {
          return new Settled(null, t);
        } finally {
          LOST.remove();
        }
      })));
    }
    Settled winner = null;
    Signals.Suspend suspend = null;
    Throwable control = null;
    List<Throwable> failures = new ArrayList<>();
    for (int ended = 0; ended < futures.size(); ended++) {
      Settled s;
      try {
        s = done.take().get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        lost.set(true);
        futures.forEach(f -> f.cancel(true));
        throw new Signals.Abandon("interrupted while racing steps");
      } catch (ExecutionException e) {
        s = new Settled(null, e.getCause());
      }
      Throwable t = s.error();
      if (t instanceof Signals.Abandon || t instanceof Signals.Fatal || t instanceof Signals.Retry) {
        control = control instanceof Signals.Abandon ? control : t;
        lost.set(true); // the turn ends: the other branches stop at their next step
      } else if (t instanceof Signals.Suspend p) {
        if (suspend == null || p.pause || (!suspend.pause && p.dueAt < suspend.dueAt)) {
          suspend = p;
        }
      } else if (t instanceof Lost) {
        // a loser stopped at a step boundary
      } else if (winner == null && control == null && (t == null || !any)) {
        winner = s;
        lost.set(true);
      } else if (t != null && winner == null) {
        failures.add(t);
      }
    }
    if (control != null) {
      throw (Error) control;
    }
    if (winner == null && suspend != null) {
      throw suspend;
    }
    turn.checkpoint();
    if (winner == null) {
      // any: every branch failed
      StringBuilder m = new StringBuilder("all " + branches.size() + " branches of any '" + name
          + "' failed:");
      for (Throwable f : failures) {
        m.append(' ').append(Turn.errorName(f)).append(": ").append(f.getMessage()).append(';');
      }
      String message = Limits.errorMessage(m.toString());
      record(turn, key, name, count, start, null, null, AGGREGATE, message);
      throw new StepFailedException(name + "-" + count, AGGREGATE, message, null, null);
    }
    if (winner.error() == null) {
      String json = turn.resultJson(winner.value(), name + "-" + count);
      record(turn, key, name, count, start, json, Json.typeName(winner.value()), null, null);
      return (T) winner.value();
    }
    Throwable t = winner.error();
    String errorName = Turn.errorName(t);
    String message = Limits.errorMessage(String.valueOf(t.getMessage()));
    if (t instanceof NonRetryableError n) {
      record(turn, key, name, count, start, null, StepErrors.recordedType(n, true), errorName,
          message);
      throw n;
    }
    // a failed step in the branch: record what its code threw, not the wrapper
    Throwable cause = t instanceof StepFailedException f ? f.getCause() : t;
    String cls = t instanceof StepFailedException f ? f.errorClass() : t.getClass().getName();
    record(turn, key, name, count, start, null, StepErrors.recordedType(cls), errorName, message);
    throw new StepFailedException(name + "-" + count, errorName, message, cause, cls);
  }

  private static <T> T replay(Turn turn, StepRecord rec, TypeRef<T> type) {
    if (StepState.SUCCEEDED.equals(rec.state())) {
      return turn.decodeResult(rec, type);
    }
    if (StepState.FAILED.equals(rec.state())) {
      throw StepErrors.replay(rec, turn.workflowClassLoader());
    }
    throw new Signals.Fatal("JournalError", "race '" + rec.name() + "-" + rec.occurrence()
        + "' is recorded as " + rec.state());
  }

  private static void record(Turn turn, String key, String name, int count, long start,
      String json, String resultType, String errorName, String message) {
    long now = turn.now();
    StepRecord r = new StepRecord(key, turn.newSeq(), KIND, name, count,
        errorName == null ? StepState.SUCCEEDED : StepState.FAILED, null, json, resultType,
        errorName, message, 0, 0, start, now, null, null, null);
    turn.recordStep(r);
  }
}
