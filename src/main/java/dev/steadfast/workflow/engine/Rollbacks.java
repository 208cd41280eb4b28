package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.ErrorInfo;
import dev.steadfast.workflow.NonRetryableError;
import dev.steadfast.workflow.Rollback;
import dev.steadfast.workflow.RollbackContext;
import dev.steadfast.workflow.StepConfig;
import dev.steadfast.workflow.StepContext;
import dev.steadfast.workflow.StepFailedException;
import dev.steadfast.workflow.TypeRef;
import dev.steadfast.workflow.store.RollbackRecord;
import dev.steadfast.workflow.store.StepRecord;
import dev.steadfast.workflow.store.StepState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The saga rollback of one turn: the compensations its steps registered, and running them.
 *
 * <p>A compensation is registered when its step has an outcome in the journal (a result, a
 * failure for good, or, seen by a turn that rolls back, a failed attempt awaiting a retry). The
 * rollback runs them in reverse order of the steps' start (their journal sequence, so steps run
 * concurrently by {@code step.all} are ordered as they started), each as a durable step of kind
 * {@code rollback} keyed like its step: journaled, retried, and never run again once it
 * succeeded. The first one that fails for good ends the rollback: later compensations undo
 * steps that started earlier, which the failed one's step may still depend on.
 *
 * <p>Durability: the instance is marked {@code rollingBack} before the first compensation runs.
 * A turn that claims a rollingBack instance (after a crash, a retry delay of a compensation, or
 * a terminate with rollback) replays {@code run} only to register the compensations again
 * ({@link Turn#rollingBack}), then runs the ones that did not succeed yet.
 */
final class Rollbacks {
  /** The control request a terminate with rollback leaves on the instance row. */
  static final String TERMINATE_CONTROL = "rollback";

  private record Registered(String key, String name, int count, TypeRef<?> type,
      Rollback<?> rollback, StepConfig config) {}

  private final Turn turn;
  /** By step key; steps of concurrent branches register at once. Guarded by itself. */
  private final Map<String, Registered> registered = new LinkedHashMap<>();

  Rollbacks(Turn turn) {
    this.turn = turn;
  }

  <T> void register(String key, String name, int count, TypeRef<T> type, Rollback<T> rollback,
      StepConfig config) {
    synchronized (registered) {
      registered.put(key, new Registered(key, name, count, type, rollback, config));
    }
  }

  boolean any() {
    synchronized (registered) {
      return !registered.isEmpty();
    }
  }

  /**
   * Marks the instance rollingBack (with the failure of {@code run}, unless a terminate asked for
   * the rollback), then runs the compensations. Returns the outcome ROLLED_BACK with its {@link
   * RollbackRecord}; a compensation waiting for a retry ends the turn with {@link
   * Signals.Suspend}, as a step would.
   */
  Turn.Outcome rollBack(String errorName, String errorMessage) {
    WorkflowEngine engine = turn.engine();
    boolean wasRollingBack = turn.rollingBack;
    turn.rollingBack = true;
    if (!turn.rollbackForTerminate && errorName == null) {
      // a replay of a failed instance: the failure is the one recorded when the rollback began
      errorName = turn.instance.errorName();
      errorMessage = turn.instance.errorMessage();
    }
    String name = turn.rollbackForTerminate ? null : Limits.errorName(errorName);
    String message = turn.rollbackForTerminate ? null : Limits.errorMessage(errorMessage);
    if (!wasRollingBack || !"rollingBack".equals(turn.instance.status())) {
      turn.journalNow(RollbackRecord.Rows.startStmt(turn.claim, turn.gen(), name, message,
          engine.now()));
      engine.emit(EngineEvent.Type.WORKFLOW_ROLLING_BACK, turn.workflowName(),
          turn.instance.instanceId(), null, 0, name, message);
    }
    return new Turn.Outcome(Turn.Outcome.Kind.ROLLED_BACK, runAll(), name, message, 0);
  }

  private RollbackRecord runAll() {
    List<Registered> order;
    synchronized (registered) {
      order = new ArrayList<>(registered.values());
    }
    order.removeIf(r -> !eligible(turn.journalRow(r.key())));
    order.sort(Comparator.comparingInt((Registered r) -> turn.journalRow(r.key()).seq()).reversed());
    for (Registered r : order) {
      String stepName = r.name() + "-" + r.count();
      try {
        run(r);
      } catch (StepFailedException e) {
        return new RollbackRecord("failed", stepName, Limits.errorName(e.errorName()),
            Limits.errorMessage(e.getMessage()));
      } catch (NonRetryableError e) {
        return new RollbackRecord("failed", stepName, Limits.errorName(e.errorName()),
            Limits.errorMessage(e.getMessage()));
      }
    }
    return new RollbackRecord("rolledBack", null, null, null);
  }

  /** A step with an outcome: a result, a failure for good, or a failed attempt. */
  private static boolean eligible(StepRecord s) {
    return s != null && (StepState.SUCCEEDED.equals(s.state()) || s.failures() > 0);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void run(Registered r) {
    StepRecord step = turn.journalRow(r.key());
    WorkflowEngine engine = turn.engine();
    StepConfig stepConfig = StepConfigCodec.read(engine.json(), step.config(),
        engine.config().stepDefaults());
    boolean succeeded = StepState.SUCCEEDED.equals(step.state());
    Object output = succeeded ? turn.decodeResult(step, (TypeRef) r.type()) : null;
    ErrorInfo error = succeeded ? null : step.errorName() != null
        ? new ErrorInfo(step.errorName(), step.errorMessage())
        // a retry was in flight when the server stopped: its row keeps no error
        : new ErrorInfo(Turn.ATTEMPTS_LOST, "the step's last attempt did not end");
    Rollback.Handler handler = r.rollback().handler();
    StepConfig config = (r.config() == null ? StepConfig.EMPTY : r.config())
        .over(engine.config().stepDefaults());
    turn.compensate(r.name(), r.count(), config, () -> {
      handler.undo(new RollbackContext<>(r.name(), r.count(), StepContext.current().attempt(),
          stepConfig, output, error));
      return null;
    });
  }
}
