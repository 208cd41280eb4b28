package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.ErrorInfo;
import dev.steadfast.workflow.RollbackOutcome;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.engine.EngineEvent.Type;
import dev.steadfast.workflow.store.InstanceRecord;
import dev.steadfast.workflow.store.RollbackRecord;
import jakarta.persistence.EntityManager;

/**
 * The instance lifecycle of saga rollbacks (the compensations themselves run in a turn, see
 * {@link Rollbacks}):
 *
 * <pre>
 *  queued/running/waiting/paused ──terminate(rollback)──▶ rollingBack ─▶ terminated
 *  running ──run fails, compensations registered──▶ rollingBack ─▶ errored
 *  rollingBack ──a compensation waits for a retry──▶ rollingBack (due at the retry, unclaimed)
 *  rollingBack ──terminate (plain)──▶ terminated, outcome cancelled
 * </pre>
 */
final class RollbackControl {
  private final WorkflowEngine engine;

  RollbackControl(WorkflowEngine engine) {
    this.engine = engine;
  }

  /**
   * Terminate with rollback: the instance turns rollingBack with a pending 'rollback' request.
   * A turn running it here lets the step in flight end, starts nothing new, and runs the
   * compensations; a turn on another server gets the request from its heartbeat ({@link
   * LeaseKeeper}), or at the latest when it ends (its release is refused and the conflict
   * settled as a rollback); an instance nobody runs is run at once, as a rollback.
   */
  void terminate(WorkflowDefinition def, String instanceId) {
    boolean[] idle = new boolean[1];
    String uid = engine.control(def, instanceId, (em, e) -> {
      Status s = Status.fromWireName(e.getStatus());
      if (s.isFinished() || s == Status.ROLLING_BACK) {
        throw WorkflowEngine.illegal(instanceId, s, "terminate with rollback");
      }
      e.setStatus(Status.ROLLING_BACK.wireName());
      e.setControl(Rollbacks.TERMINATE_CONTROL);
      if (e.getOwner() == null) {
        e.setDueAt(engine.now());
        idle[0] = true;
      }
      return true;
    });
    Turn turn = engine.dispatcher().activeTurn(uid);
    if (turn != null) {
      turn.requestRollback();
    }
    engine.emit(Type.WORKFLOW_ROLLING_BACK, def.name(), instanceId, null, 0, null, null);
    if (idle[0]) {
      engine.dispatcher().kick(uid);
    }
  }

  /** The compensations ended: the instance settles, errored or terminated, with the outcome. */
  void end(Turn turn, Turn.Outcome outcome, long now) {
    InstanceRecord r = turn.instance;
    RollbackRecord rb = (RollbackRecord) outcome.output();
    Status end = turn.rollbackForTerminate ? Status.TERMINATED : Status.ERRORED;
    if (engine.journal().run(turn.closingWrite(
        RollbackRecord.Rows.endStmt(turn.claim, r.gen(), end.wireName(), rb, now)))) {
      engine.emit(end == Status.TERMINATED ? Type.WORKFLOW_TERMINATED : Type.WORKFLOW_FAILURE,
          r.workflowName(), r.instanceId(), null, 0, outcome.errorName(), outcome.errorMessage());
    }
  }

  /** A rolling-back instance lets go until {@code dueAt} (a retry delay), still rollingBack. */
  void waitUntil(Turn turn, long dueAt, long now) {
    InstanceRecord r = turn.instance;
    if (engine.journal().run(turn.closingWrite(
        RollbackRecord.Rows.waitStmt(turn.claim, r.gen(), dueAt, now)))) {
      engine.dispatcher().wakeAt(dueAt);
    }
  }

  /** What {@link dev.steadfast.workflow.InstanceStatus#rollback()} shows for an instance row. */
  static RollbackOutcome outcome(EntityManager em, InstanceRecord r) {
    return outcome(r, Status.ROLLING_BACK.wireName().equals(r.status()) ? null
        : RollbackRecord.Rows.read(em, r.uid()));
  }

  /** The rollback of {@code r} as shown, from its stored record {@code rec} (null: none). */
  static RollbackOutcome outcome(InstanceRecord r, RollbackRecord rec) {
    if (Status.ROLLING_BACK.wireName().equals(r.status())) {
      return new RollbackOutcome(RollbackOutcome.State.RUNNING, null, null);
    }
    if (rec == null) {
      return null;
    }
    return new RollbackOutcome(RollbackOutcome.State.fromWireName(rec.outcome()), rec.step(),
        rec.errorName() == null ? null : new ErrorInfo(rec.errorName(), rec.errorMessage()));
  }
}
