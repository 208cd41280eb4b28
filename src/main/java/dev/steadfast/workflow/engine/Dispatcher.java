package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.engine.EngineEvent.Type;
import dev.steadfast.workflow.store.InstanceRecord;
import dev.steadfast.workflow.store.JournalWriter.Stmt;
import dev.steadfast.workflow.store.StepRecord;
import dev.steadfast.workflow.store.WorkflowStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finds instances that are due, claims them with a lease and runs their turns on the worker
 * executor, at most {@code workers} at once. Due times live in the database; the wake-up timer is
 * armed at the earliest one (or at the poll interval, to notice other servers' work and expired
 * leases). Its {@link LeaseKeeper} renews the leases of running turns.
 */
final class Dispatcher {
  private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());

  private final WorkflowEngine engine;
  private final Semaphore slots;
  private final Map<String, Turn> active = new ConcurrentHashMap<>();
  /**
   * Instances a worker is claiming now (not yet in {@link #active}); a claimed one is put in
   * {@link #active} before it leaves this set (see {@link #markClaimingIfIdle}).
   */
  private final Set<String> claiming = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean pollQueued = new AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicInteger polling =
      new java.util.concurrent.atomic.AtomicInteger();
  /** Instances whose turn failed to write, and when (System.nanoTime) to run them again. */
  private final Map<String, Long> retryAfter = new ConcurrentHashMap<>();
  private final LeaseKeeper leases;
  private volatile boolean backlog;
  private volatile boolean running;

  Dispatcher(WorkflowEngine engine) {
    this.engine = engine;
    this.slots = new Semaphore(engine.config().workers());
    this.leases = new LeaseKeeper(engine, this);
  }

  void start() {
    running = true;
    leases.start();
    requestPoll();
  }

  /**
   * Stops taking work, waits up to {@code graceMillis} for running turns to end, then abandons the
   * rest (their step code is interrupted) and gives them a moment to return. Returns the uids of
   * the turns still running after that: their claims must not be released.
   */
  Set<String> stop(long graceMillis) {
    running = false;
    leases.stop();
    engine.timer().cancel();
    awaitIdle(graceMillis);
    if (!active.isEmpty()) {
      active.values().forEach(Turn::abandon);
      awaitIdle(Math.min(graceMillis, ABANDON_GRACE_MILLIS));
    }
    Set<String> still = new java.util.HashSet<>(active.keySet());
    still.addAll(claiming);
    return still;
  }

  /** How long abandoned turns get to return at shutdown (an interrupted step, a commit). */
  private static final long ABANDON_GRACE_MILLIS = 1_000;

  private void awaitIdle(long millis) {
    long deadline = System.currentTimeMillis() + millis;
    while (!active.isEmpty() && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
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

  /** Marks an instance this server is creating claimed: no poll claims it before it runs. */
  void markClaiming(String uid) {
    claiming.add(uid);
  }

  /** Gives back the slot of an instance that was not created after all. */
  void releaseSlot(String uid) {
    claiming.remove(uid);
    slots.release();
  }

  /**
   * Runs the turn of an instance this server claimed when creating it (slot reserved, claim
   * epoch 1, claim sent at {@code claimedAtNanos}).
   */
  void runClaimed(InstanceRecord instance, long claimedAtNanos) {
    WorkflowDefinition def = engine.registry().find(instance.workflowName());
    submit(new Turn(engine, def, instance, 1, claimedAtNanos, List.of()));
    claiming.remove(instance.uid());
  }

  /** A turn failed to write: run its instance again after a back-off (or when the DB is back). */
  void retryLater(String uid) {
    long backoff = Math.min(engine.config().lease().toMillis(),
        engine.config().pollInterval().toMillis() * 2);
    retryAfter.put(uid, System.nanoTime() + backoff * 1_000_000L);
  }

  /** The database is reachable again: what failed meanwhile runs now, on this server. */
  void databaseBack() {
    retryAfter.clear();
    requestPoll();
  }

  /** Null while the scheduler and the lease thread tick, else which one stopped. */
  String stuck() {
    return running ? leases.stuck(!active.isEmpty()) : null;
  }

  /** The turns running now (a snapshot). */
  List<Turn> activeTurns() {
    return List.copyOf(active.values());
  }

  /** Instances being claimed or created claimed now, not yet running (a snapshot). */
  Set<String> claimingNow() {
    return Set.copyOf(claiming);
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
    if (takeForClaim(uid)) {
      claimAndRun(List.of(uid));
    }
  }

  /**
   * Marks {@code uid} as being claimed by this server, unless it is being claimed or a turn of it
   * runs here. The mark comes first and the look at {@link #active} second: a turn enters {@link
   * #active} before it leaves {@link #claiming}, so whoever gets the mark sees a turn that started
   * meanwhile. (Looking at both first and marking afterwards let a turn start between the two
   * looks, and a second turn of the instance started beside it.)
   */
  private boolean markClaimingIfIdle(String uid) {
    if (!claiming.add(uid)) {
      return false;
    }
    if (active.containsKey(uid)) {
      claiming.remove(uid);
      return false;
    }
    return true;
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
    if (!running || !engine.health().isUp()) {
      // during an outage the health probe asks for a poll as soon as the database answers
      return;
    }
    try {
      long now = engine.now();
      int free = slots.availablePermits();
      backlog = false;
      if (free > 0) {
        // the instances this server holds or skips come back too (and are passed over below),
        // so ask for that many more than it has free slots
        int limit = free + active.size() + claiming.size() + retryAfter.size();
        List<String> due = engine.tx().inTransaction(em -> engine.store().due(em, now, limit,
            engine.serverId(), engine.gate().saturated(em)));
        List<String> mine = new ArrayList<>();
        long nanos = System.nanoTime();
        for (String uid : due) {
          if (active.containsKey(uid) || claiming.contains(uid)) {
            continue;
          }
          Long after = retryAfter.get(uid);
          if (after != null) {
            if (nanos - after < 0) {
              continue;
            }
            retryAfter.remove(uid);
          }
          if (!slots.tryAcquire()) {
            backlog = true;
            break;
          }
          if (!markClaimingIfIdle(uid)) {
            slots.release();
            continue;
          }
          mine.add(uid);
        }
        if (!mine.isEmpty()) {
          claimOnWorker(mine);
        }
        if (due.size() >= limit) {
          // more may be due than one look returned: look again, not for the next due time
          // (the limit is the one asked for: counted again after the instances just marked
          // claiming, it was larger than the answer, and every poll of a backlog also ran the
          // next-due-time query, the slowest of the two)
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
      Long next = engine.tx().inTransaction(em -> engine.store().nextWake(em, engine.serverId(),
          engine.gate().saturated(em)));
      long wake = now + engine.config().pollInterval().toMillis();
      if (next != null && next < wake) {
        wake = next;
      }
      engine.timer().wakeAt(wake, this::requestPoll);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.log(Level.FINE, "poll during shutdown", e);
      return;
    } catch (RuntimeException e) {
      if (!engine.health().failed(e)) {
        LOG.log(Level.WARNING, "workflow dispatch poll failed; retrying at the next interval", e);
      }
      // during an outage the health probe polls as soon as the database answers
      engine.timer().wakeAt(engine.now() + engine.config().pollInterval().toMillis(),
          this::requestPoll);
    }
  }

  /**
   * Claims on a worker thread: the claim commits, and a commit may wait on the disk, which the
   * scheduler threads (wake-up timers, step timeouts, the heartbeat) must never do.
   */
  private void claimOnWorker(List<String> uids) {
    try {
      engine.turnExecutor().execute(() -> claimAndRun(uids));
    } catch (RuntimeException e) {
      for (String uid : uids) {
        claiming.remove(uid);
        slots.release();
      }
      LOG.log(Level.WARNING, "worker executor refused a claim; it will be retried", e);
    }
  }

  /**
   * Claims instances (a slot held and a {@link #claiming} mark for each) in one transaction, and
   * runs the turns of those claimed; the slots of the others are given back.
   */
  private void claimAndRun(List<String> uids) {
    List<Turn> turns;
    try {
      turns = claim(uids);
    } catch (Throwable e) { // an Error too: the claim rolled back, the marks below must go
      if (!engine.health().failed(e)) {
        LOG.log(Level.WARNING, "could not claim workflow instances " + uids, e);
      }
      turns = List.of();
    }
    try {
      engine.flushEvents();
    } catch (Throwable e) { // a listener's Error must not keep claimed turns from running
      LOG.log(Level.WARNING, "a workflow event listener failed", e);
    }
    Set<String> started = new java.util.HashSet<>();
    for (Turn turn : turns) {
      started.add(turn.uid());
      submit(turn);
    }
    for (String uid : uids) {
      claiming.remove(uid);
      if (!started.contains(uid)) {
        slots.release();
      }
    }
  }

  /**
   * Claims the due ones among {@code uids}: one transaction for all of them (a batch of
   * conditional UPDATEs, a SELECT of the rows, a SELECT of their journals). Instances with
   * nothing to run are settled (a pending pause, a stale due time) and let go.
   */
  private List<Turn> claim(List<String> uids) {
    long claimedAt = System.nanoTime();
    return engine.tx().inTransaction(em -> claimIn(em, uids, claimedAt, null));
  }

  /**
   * Claims the due ones among {@code uids} in the caller's transaction (see {@link #claim});
   * {@code adjust}, when not null, may change each claimed instance's journal (writing in the same
   * transaction) before its turn is made.
   */
  List<Turn> claimIn(jakarta.persistence.EntityManager em, List<String> uids, long claimedAt,
      java.util.function.BiFunction<InstanceRecord, List<StepRecord>, List<StepRecord>> adjust) {
    {
      long now = engine.now();
      // under a concurrency limit only as many as it leaves room for (the others stay due)
      List<String> admitted = engine.gate().admit(em, uids, engine.serverId());
      List<WorkflowStore.Claimed> rows = engine.store().claimMany(em, admitted,
          engine.serverId(), engine.config().lease().toMillis(), now,
          engine.registry().names());
      List<Stmt> updates = new ArrayList<>();
      List<InstanceRecord> runnable = new ArrayList<>();
      Map<String, Integer> gens = new HashMap<>();
      Map<String, Long> epochs = new HashMap<>();
      Set<String> recovering = new java.util.HashSet<>();
      for (WorkflowStore.Claimed claimed : rows) {
        InstanceRecord r = claimed.row();
        epochs.put(r.uid(), claimed.epoch());
        // as the claim found it: a claim that started the turn has marked it running already
        Status status = Status.fromWireName(claimed.from());
        boolean rollingBack = status == Status.ROLLING_BACK;
        boolean pause = "pause".equals(r.control()) && !rollingBack;
        if (pause || status == Status.PAUSED || status.isFinished()) {
          // nothing to run: settle a pending pause, or drop a stale due time
          updates.add(WorkflowStore.settleClaimStmt(r.uid(),
              pause ? Status.PAUSED.wireName() : r.status(), now));
          continue;
        }
        if (engine.registry().find(r.workflowName()) == null) {
          // not deployed on this server: leave it for one that has it, look again later
          updates.add(WorkflowStore.passClaimStmt(r.uid(),
              now + engine.config().pollInterval().toMillis() * 5));
          continue;
        }
        if (status == Status.QUEUED) {
          engine.emitLater(Type.WORKFLOW_START, r.workflowName(), r.instanceId());
        }
        if (status == Status.RUNNING || rollingBack) {
          // still marked running: its last turn never ended (a crash, an abandoned turn); a
          // rollback cannot tell, and records each compensation attempt's start to be safe
          recovering.add(r.uid());
          engine.metrics().claimTakenOver(r.workflowName());
        }
        if (r.dueAt() != null) {
          engine.metrics().wokeUp(now - r.dueAt());
        }
        if (!rollingBack && !claimed.started()) {
          updates.add(WorkflowStore.startTurnStmt(r.uid(), now));
        }
        runnable.add(new InstanceRecord(r.uid(), r.workflowName(), r.instanceId(),
            rollingBack ? r.status() : Status.RUNNING.wireName(), r.params(), r.output(), r.errorName(), r.errorMessage(),
            r.triggerSource(), r.versionId(), r.createdAt(), now,
            r.startedAt() == null ? now : r.startedAt(), r.endedAt(), r.dueAt(), r.owner(),
            r.leaseUntil(), r.gen(), r.signals(), r.control()));
        gens.put(r.uid(), r.gen());
      }
      engine.store().execute(em, updates);
      Map<String, List<StepRecord>> journals = engine.store().journals(em, gens);
      List<Turn> turns = new ArrayList<>();
      for (InstanceRecord r : runnable) {
        List<StepRecord> steps = journals.getOrDefault(r.uid(), List.of());
        if (adjust != null) {
          steps = adjust.apply(r, steps);
        }
        Turn turn = new Turn(engine, engine.registry().find(r.workflowName()), r,
            epochs.get(r.uid()), claimedAt, steps);
        turn.recovering = recovering.contains(r.uid());
        turns.add(turn);
      }
      return turns;
    }
  }

  /**
   * Takes a worker slot and the claiming mark for an instance the caller is about to claim in its
   * own transaction ({@link #claimIn}); false when this server cannot run it now (then nothing is
   * held). After the transaction: {@link #startClaimed} or, when it failed, {@link #dropClaim}.
   */
  boolean takeForClaim(String uid) {
    if (!running || !engine.health().isUp() || active.containsKey(uid)
        || claiming.contains(uid)) {
      return false;
    }
    if (!slots.tryAcquire()) {
      backlog = true;
      return false;
    }
    if (!markClaimingIfIdle(uid)) {
      slots.release();
      return false;
    }
    return true;
  }

  /** Runs the turns the caller's committed transaction claimed for {@code uid} (none or one). */
  void startClaimed(String uid, List<Turn> turns) {
    try {
      engine.flushEvents();
    } catch (Throwable e) { // a listener's Error must not keep a claimed turn from running
      LOG.log(Level.WARNING, "a workflow event listener failed", e);
    }
    boolean started = false;
    for (Turn turn : turns) {
      started |= turn.uid().equals(uid);
      submit(turn);
    }
    claiming.remove(uid);
    if (!started) {
      slots.release();
      requestPoll(); // whatever kept it from running here, a poll looks at it again
    }
  }

  /** Gives back what {@link #takeForClaim} took when the caller's transaction did not commit. */
  void dropClaim(String uid) {
    claiming.remove(uid);
    slots.release();
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
      if (engine.health().failed(t)) {
        retryLater(turn.uid()); // its end was not written: run it again when the DB is back
      } else {
        // the engine itself failed around the turn (out of memory, a class missing in a
        // redeploy): not the workflow's fault, so the instance runs again after a back-off, not
        // after a lease
        LOG.log(Level.SEVERE, "turn of instance " + turn.instance.instanceId() + " failed", t);
        try {
          engine.retryLater(turn, String.valueOf(t));
        } catch (Throwable again) {
          LOG.log(Level.WARNING, "could not let instance " + turn.instance.instanceId()
              + " go; it runs again when its lease expires", again);
        }
      }
    } finally {
      active.remove(turn.uid(), turn);
      slots.release();
      // a turn of a limited workflow that ended makes room for one of its queued instances
      if (backlog || (outcome != null && outcome.kind() == Turn.Outcome.Kind.ABANDONED)
          || engine.gate().limited(turn.instance.workflowName())) {
        requestPoll();
      }
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
