package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.store.InstanceRecord;
import dev.steadfast.workflow.store.StepRecord;
import dev.steadfast.workflow.store.StepState;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands buffered events to the waits they complete, in the transaction that claims the instance
 * (see {@link WorkflowEngine#sendEvent}): each wait of the journal that is still waiting takes the
 * oldest unconsumed event of its type sent before its deadline, exactly as the turn's own {@code
 * waitForEvent} would when it runs, so the turn finds the wait already received and writes nothing
 * for it. Not used with test hooks (a mocked event must win over a real one, in the turn).
 */
final class EventDelivery {
  private EventDelivery() {}

  /**
   * The claim a {@code sendEvent} takes in its own transaction when this server can run the
   * waiting instance now (a free worker, no concurrency limit, no pending control): {@link #take}
   * inside the transaction, then {@link #start} after its commit or {@link #drop} after a failure.
   */
  static final class ClaimWithEvent {
    private final WorkflowEngine engine;
    private final WorkflowDefinition def;
    private String uid;
    private List<Turn> turns = List.of();

    ClaimWithEvent(WorkflowEngine engine, WorkflowDefinition def) {
      this.engine = engine;
      this.def = def;
    }

    /** Claims the locked, waiting, unowned instance {@code e} and delivers its events. */
    boolean take(EntityManager em, dev.steadfast.workflow.store.InstanceEntity e) {
      if (e.getControl() != null || def.policy().limited()
          || !engine.dispatcher().takeForClaim(e.getUid())) {
        return false;
      }
      uid = e.getUid();
      em.flush(); // the claim is plain SQL on the row the transaction changed
      turns = engine.dispatcher().claimIn(em, List.of(uid), System.nanoTime(),
          (r, steps) -> deliver(engine, em, r, steps));
      return true;
    }

    /** After the commit: runs the claimed turn; false when nothing was claimed. */
    boolean start() {
      if (uid == null) {
        return false;
      }
      engine.dispatcher().startClaimed(uid, turns);
      return true;
    }

    /** After a failed transaction: gives back what {@link #take} held. */
    void drop() {
      if (uid != null) {
        engine.dispatcher().dropClaim(uid);
        uid = null;
      }
    }
  }

  /** The journal with the waits that got an event marked received (written in {@code em}). */
  static List<StepRecord> deliver(WorkflowEngine engine, EntityManager em, InstanceRecord r,
      List<StepRecord> steps) {
    if (engine.hooks() != TestHooks.NONE) {
      return steps;
    }
    List<StepRecord> out = steps;
    long now = engine.now();
    for (int i = 0; i < steps.size(); i++) {
      StepRecord s = steps.get(i);
      if (!"waitForEvent".equals(s.kind()) || !StepState.WAITING.equals(s.state())
          || s.eventType() == null || s.dueAt() == null) {
        continue;
      }
      Object[] event = engine.store().consumeEvent(em, r.uid(), s.eventType(), r.gen(), s.key(),
          s.dueAt());
      if (event == null) {
        continue;
      }
      StepRecord got = new StepRecord(s.key(), s.seq(), "waitForEvent", s.name(), s.occurrence(),
          StepState.RECEIVED, null, (String) event[0], null, null, null, 0, 0, s.startedAt(), now,
          s.dueAt(), s.eventType(), (Long) event[1]);
      engine.store().updateStep(em, r.uid(), r.gen(), got);
      if (out == steps) {
        out = new ArrayList<>(steps);
      }
      out.set(i, got);
    }
    return out;
  }
}
