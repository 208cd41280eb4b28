package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.engine.EngineEvent.Type;
import dev.steadfast.workflow.store.InstanceEntity;
import dev.steadfast.workflow.store.InstanceRecord;
import dev.steadfast.workflow.store.StepRecord;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finds instances that are due, claims them with a lease and runs their turns on the worker
 * executor, at most {@code workers} at once. Due times live in the database; the wake-up timer is
 * armed at the earliest one (or at the poll interval, to notice other servers' work and expired
 * leases). A heartbeat renews the leases of running turns and passes on pause requests and lost
 * claims.
 */
final class Dispatcher {
  private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());

  private final WorkflowEngine engine;
  private final Semaphore slots;
  private final Map<String, Turn> active = new ConcurrentHashMap<>();
  /** Instances a worker is claiming now (not yet in {@link #active}). */
  private final Set<String> claiming = ConcurrentHashMap.newKeySet();
  /** Bounds the claims running at once: enough to overlap commits, few enough not to thrash. */
  private final Semaphore claimers = new Semaphore(MAX_PARALLEL_CLAIMS);
  private static final int MAX_PARALLEL_CLAIMS = 4;
  private final AtomicBoolean pollQueued = new AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicInteger polling =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean backlog;
  private volatile boolean running;
  private ScheduledFuture<?> heartbeat;
  private long lastSweep;

  Dispatcher(WorkflowEngine engine) {
    this.engine = engine;
    this.slots = new Semaphore(engine.config().workers());
  }

  void start() {
    running = true;
    long every = Math.max(200, engine.config().lease().toMillis() / 3);
    heartbeat = engine.scheduler().scheduleWithFixedDelay(this::heartbeat, every, every,
        TimeUnit.MILLISECONDS);
    requestPoll();
  }

  /** Stops taking work and waits up to {@code graceMillis} for running turns to end. */
  void stop(long graceMillis) {
    running = false;
    if (heartbeat != null) {
      heartbeat.cancel(false);
    }
    engine.timer().cancel();
    long deadline = System.currentTimeMillis() + graceMillis;
    while (!active.isEmpty() && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    active.values().forEach(Turn::abandon);
  }

  boolean isRunning() {
    return running;
  }

  Turn activeTurn(String uid) {
    return active.get(uid);
  }

  boolean isIdle() {
    return active.isEmpty() && !pollQueued.get() && polling.get() == 0;
  }

  int activeCount() {
    return active.size();
  }

  /** Tries to take a worker slot for an instance about to be created claimed by this server. */
  boolean reserveSlot() {
    return running && slots.tryAcquire();
  }

  void releaseSlot() {
    slots.release();
  }

  /** Runs the turn of an instance this server claimed when creating it (slot reserved). */
  void runClaimed(InstanceRecord instance) {
    WorkflowDefinition def = engine.registry().find(instance.workflowName());
    submit(new Turn(engine, def, instance, List.of(), true));
  }

  /** Asks for a poll soon, on the scheduler thread; collapses repeated requests. */
  void requestPoll() {
    if (running && pollQueued.compareAndSet(false, true)) {
      try {
        engine.scheduler().execute(this::poll);
      } catch (RuntimeException e) {
        pollQueued.set(false);
        LOG.log(Level.FINE, "poll not scheduled", e);
      }
    }
  }

  /** Tries to run one instance now (after an event, a resume, a restart). */
  void kick(String uid) {
    if (!running || active.containsKey(uid) || claiming.contains(uid)) {
      return;
    }
    if (!slots.tryAcquire()) {
      backlog = true;
      return;
    }
    claimAndRun(uid);
  }

  /** The wake-up: runs what is due, then arms the timer at the next due time. */
  void poll() {
    polling.incrementAndGet();
    try {
      pollOnce();
    } finally {
      polling.decrementAndGet();
    }
  }

  private void pollOnce() {
    pollQueued.set(false);
    if (!running) {
      return;
    }
    try {
      long now = engine.now();
      int free = slots.availablePermits();
      backlog = false;
      if (free > 0) {
        List<String> due =
            engine.tx().inTransaction(em -> engine.store().due(em, now, free + active.size()));
        for (String uid : due) {
          if (active.containsKey(uid) || claiming.contains(uid)) {
            continue;
          }
          if (!slots.tryAcquire()) {
            backlog = true;
            break;
          }
          claimOnWorker(uid);
        }
        if (due.size() >= free + active.size()) {
          backlog = true;
        }
      } else {
        backlog = true;
      }
      if (backlog) {
        if (slots.availablePermits() > 0) {
          requestPoll();
          return;
        }
        // every slot is taken: the next turn to end polls again (runTurn), so do not look for
        // the next due time now (it is due already, and the timer would spin on the database
        // until a slot frees); the timer is only a fallback
        engine.timer().wakeAt(now + engine.config().pollInterval().toMillis(), this::requestPoll);
        return;
      }
      Long next = engine.tx().inTransaction(em -> engine.store().nextWake(em, engine.serverId()));
      long wake = now + engine.config().pollInterval().toMillis();
      if (next != null && next < wake) {
        wake = next;
      }
      engine.timer().wakeAt(wake, this::requestPoll);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "workflow dispatch poll failed; retrying at the next interval", e);
      engine.timer().wakeAt(engine.now() + engine.config().pollInterval().toMillis(),
          this::requestPoll);
    }
  }

  /** Called with a slot held; gives it back if the instance cannot be claimed. */
  private void claimAndRun(String uid) {
    Turn turn = claim(uid);
    if (turn != null) {
      submit(turn);
    }
  }

  /**
   * Claims and runs an instance on a worker thread, so that the claims of many due instances
   * (a burst of wake-ups, a backlog of queued instances) go on in parallel rather than one after
   * another on the scheduler thread. Called with a slot held.
   */
  private void claimOnWorker(String uid) {
    if (!claiming.add(uid)) {
      slots.release();
      return;
    }
    try {
      engine.turnExecutor().execute(() -> {
        Turn turn = null;
        claimers.acquireUninterruptibly();
        try {
          turn = claim(uid);
          if (turn != null) {
            active.put(uid, turn);
          }
        } finally {
          claimers.release();
          claiming.remove(uid);
        }
        if (turn != null) {
          runTurn(turn);
        }
      });
    } catch (RuntimeException e) {
      claiming.remove(uid);
      slots.release();
      LOG.log(Level.WARNING, "worker executor refused a claim; it will be retried", e);
    }
  }

  /** Claims an instance (slot held): its turn, or null with the slot given back. */
  private Turn claim(String uid) {
    Turn turn;
    try {
      turn = engine.tx().inTransaction(em -> {
        long now = engine.now();
        InstanceEntity e = engine.store().claim(em, uid, engine.serverId(),
            now + engine.config().lease().toMillis(), now);
        if (e == null) {
          return null;
        }
        Status status = Status.fromWireName(e.getStatus());
        if ("pause".equals(e.getControl()) || status == Status.PAUSED || status.isFinished()) {
          // nothing to run: settle a pending pause, or drop a stale due time
          if ("pause".equals(e.getControl())) {
            e.setStatus(Status.PAUSED.wireName());
          }
          e.setControl(null);
          e.setDueAt(null);
          e.setOwner(null);
          e.setLeaseUntil(null);
          e.setModifiedAt(now);
          return null;
        }
        WorkflowDefinition def = engine.registry().find(e.getWorkflowName());
        if (def == null) {
          // not deployed on this server: leave it for one that has it, look again later
          e.setOwner(null);
          e.setLeaseUntil(null);
          e.setDueAt(now + engine.config().pollInterval().toMillis() * 5);
          return null;
        }
        if (status == Status.QUEUED) {
          engine.emitLater(Type.WORKFLOW_START, e.getWorkflowName(), e.getInstanceId());
        }
        e.setStatus(Status.RUNNING.wireName());
        if (e.getStartedAt() == null) {
          e.setStartedAt(now);
        }
        e.setModifiedAt(now);
        InstanceRecord record = recordOf(e);
        List<StepRecord> steps = engine.store().steps(em, uid, e.getGen());
        return new Turn(engine, def, record, steps, false);
      });
    } catch (RuntimeException e) {
      slots.release();
      LOG.log(Level.WARNING, "could not claim workflow instance " + uid, e);
      return null;
    }
    engine.flushEvents();
    if (turn == null) {
      slots.release();
    }
    return turn;
  }

  private static InstanceRecord recordOf(InstanceEntity e) {
    return new InstanceRecord(e.getUid(), e.getWorkflowName(), e.getInstanceId(), e.getStatus(),
        e.getParams(), e.getOutput(), e.getErrorName(), e.getErrorMessage(), e.getTriggerSource(),
        e.getVersionId(), e.getCreatedAt(), e.getModifiedAt(), e.getStartedAt(), e.getEndedAt(),
        e.getDueAt(), e.getOwner(), e.getLeaseUntil(), e.getGen(), e.getSignals(), e.getControl());
  }

  /** Runs a turn on a worker; the slot is held and is given back when the turn ends. */
  private void submit(Turn turn) {
    active.put(turn.uid(), turn);
    try {
      engine.turnExecutor().execute(() -> runTurn(turn));
    } catch (RuntimeException e) {
      active.remove(turn.uid());
      slots.release();
      LOG.log(Level.WARNING, "worker executor refused a turn; it will be retried", e);
    }
  }

  private void runTurn(Turn turn) {
    Turn.Outcome outcome = null;
    try {
      outcome = turn.execute();
      engine.finishTurn(turn, outcome);
    } catch (Throwable t) {
      LOG.log(Level.SEVERE, "turn of instance " + turn.instance.instanceId() + " failed", t);
    } finally {
      active.remove(turn.uid(), turn);
      slots.release();
      if (backlog || (outcome != null && outcome.kind() == Turn.Outcome.Kind.ABANDONED)) {
        requestPoll();
      }
    }
  }

  /** Renews leases, forwards pause requests, drops turns whose claim was lost; sweeps retention. */
  private void heartbeat() {
    if (!running) {
      return;
    }
    try {
      long now = engine.now();
      if (!active.isEmpty() || !claiming.isEmpty()) {
        // a snapshot: turns that start after the query must not be taken for lost claims, and
        // the IN list must not change while it is bound
        List<Turn> turns = List.copyOf(active.values());
        List<String> uids = turns.stream().map(Turn::uid).toList();
        java.util.Set<String> live = new java.util.HashSet<>(uids);
        live.addAll(claiming);
        Map<String, Object[]> held = engine.tx().inTransaction(em -> {
          engine.store().renewLeases(em, engine.serverId(), live,
              now + engine.config().lease().toMillis());
          return engine.store().heldState(em, engine.serverId(), uids);
        });
        for (Turn turn : turns) {
          Object[] row = held.get(turn.uid());
          if (row == null || ((Number) row[1]).intValue() != turn.gen()) {
            turn.abandon();
          } else if ("pause".equals(row[2])) {
            turn.pauseRequested = true;
          }
        }
      }
      if (now - lastSweep > 60_000) {
        lastSweep = now;
        engine.sweepRetention();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "workflow lease heartbeat failed", e);
    }
  }

  /** Arms the wake-up timer for a due time produced by a turn. */
  void wakeAt(long dueAt) {
    if (dueAt <= engine.now()) {
      requestPoll();
    } else {
      engine.timer().wakeAt(dueAt, this::requestPoll);
    }
  }

  static WorkflowException notRunning() {
    return new WorkflowException(WorkflowException.Reason.ILLEGAL_STATE, "engine is stopped");
  }
}
