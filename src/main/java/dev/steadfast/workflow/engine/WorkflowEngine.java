package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.ErrorInfo;
import dev.steadfast.workflow.InstanceStatus;
import dev.steadfast.workflow.RestartFrom;
import dev.steadfast.workflow.RollbackOutcome;
import dev.steadfast.workflow.Retention;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.WorkflowException.Reason;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.EngineEvent.Type;
import dev.steadfast.workflow.engine.events.EventHub;
import dev.steadfast.workflow.store.AttemptRecord;
import dev.steadfast.workflow.store.InstanceEntity;
import dev.steadfast.workflow.store.InstanceRecord;
import dev.steadfast.workflow.store.ReadQueries;
import dev.steadfast.workflow.store.JournalWriter;
import dev.steadfast.workflow.store.RetentionQueries;
import dev.steadfast.workflow.store.StepRecord;
import dev.steadfast.workflow.store.WorkflowRecord;
import dev.steadfast.workflow.store.WorkflowStore;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The workflow engine of one server: creates instances, controls their lifecycle, and runs them
 * through its {@link Dispatcher}. Container-neutral: the server wires it with JTA, an EJB timer and
 * managed threads; tests wire it with plain JPA and executors.
 */
public final class WorkflowEngine {
  private static final Logger LOG = Logger.getLogger(WorkflowEngine.class.getName());
  private static final ThreadLocal<List<EngineEvent>> PENDING = ThreadLocal.withInitial(ArrayList::new);

  private final EngineConfig config;
  private final Transactor tx;
  private final WakeUpTimer timer;
  private final ExecutorService turnExecutor;
  private final ExecutorService branchExecutor;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final WorkflowRegistry registry;
  private final WorkflowStore store = new WorkflowStore();
  private final ReadQueries reads;
  private final Json json = new Json();
  private final List<EngineListener> listeners = new CopyOnWriteArrayList<>();
  private final Dispatcher dispatcher;
  private final BatchCreator batches = new BatchCreator(this);
  private final ConcurrencyGate gate;
  private final CronScheduler crons = new CronScheduler(this);
  private final JournalWriter journal;
  private final AttemptMonitor monitor;
  private final DatabaseHealth health;
  private final ServerPresence presence;
  private final RollbackControl rollbacks = new RollbackControl(this);
  private volatile boolean started;
  private volatile TestHooks hooks = TestHooks.NONE;
  /** Turns of an instance that failed in a row not by the workflow's fault: the back-off. */
  private final Map<String, Integer> retries = new java.util.concurrent.ConcurrentHashMap<>();
  private static final long MAX_RETRY_DELAY = 5 * 60_000L;
  private EventHub events;
  private final dev.steadfast.workflow.engine.metrics.EngineMetrics metrics;

  public WorkflowEngine(
      EngineConfig config,
      WorkflowRegistry registry,
      Transactor tx,
      WakeUpTimer timer,
      ExecutorService turnExecutor,
      ExecutorService branchExecutor,
      ScheduledExecutorService scheduler,
      Clock clock) {
    this.config = config;
    this.registry = registry;
    this.tx = tx;
    this.timer = timer;
    this.turnExecutor = turnExecutor;
    this.branchExecutor = branchExecutor;
    this.scheduler = scheduler;
    this.clock = clock;
    this.health = new DatabaseHealth(tx.leaseDataSource(), this::databaseBack);
    this.gate = new ConcurrencyGate(registry);
    this.dispatcher = new Dispatcher(this);
    this.journal = new JournalWriter(tx.dataSource(), config.journalWriters());
    this.reads = new ReadQueries(tx.readDataSource());
    this.monitor = new AttemptMonitor(scheduler, branchExecutor);
    this.presence = new ServerPresence(tx.dataSource(), config.serverId(),
        ServerPresence.OBSERVE_MILLIS);
    this.metrics = new dev.steadfast.workflow.engine.metrics.EngineMetrics(tx.dataSource(),
        this::now, () -> registry.all().stream().map(WorkflowDefinition::name).toList(),
        this::runningTurns);
    listeners.add(metrics);
    journal.setObserver(metrics::journalBatch);
  }

  /** This server's metrics (Prometheus text: {@code metrics().scrape()}). */
  public dev.steadfast.workflow.engine.metrics.EngineMetrics metrics() {
    return metrics;
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Makes sure no other running server uses this server id ({@link ServerPresence}), records the
   * registered workflows, drops claims this server held before a restart (nothing of ours can be
   * running now), and starts dispatching.
   *
   * @throws IllegalStateException if another running server uses this server id
   */
  public void start() {
    presence.acquire(scheduler);
    started = true;
    try {
      register();
      crons.start();
    } catch (RuntimeException e) {
      crons.stop();
      started = false;
      presence.release(true);
      throw e;
    }
    dispatcher.start();
  }

  private void register() {
    long now = now();
    tx.inTransaction(em -> {
      // in name order: servers registering at once lock the rows in the same order (no deadlock)
      List<WorkflowDefinition> defs = new ArrayList<>(registry.all());
      defs.sort(java.util.Comparator.comparing(WorkflowDefinition::name));
      for (WorkflowDefinition d : defs) {
        store.registerWorkflow(em, d.name(), d.workflowClass().getName(), d.binding(),
            d.versionId(), now);
      }
      int released = store.releaseAll(em, config.serverId());
      if (released > 0) {
        LOG.info("recovered " + released + " workflow instances held by this server before it"
            + " stopped");
      }
      return null;
    });
  }

  /**
   * Stops dispatching; running turns get {@code graceMillis} to end, then are abandoned. A clean
   * stop ({@code graceMillis > 0}) hands back at once the claims of the turns that ended; those of
   * turns still running (step code that ignores interrupts) keep their lease and are taken over
   * when it expires. {@code 0} stops as a crash would: every claim stays until its lease expires.
   */
  public void stop(long graceMillis) {
    synchronized (this) {
      if (events != null) {
        events.close();
      }
    }
    if (!started) {
      return; // never started (or refused to): nothing of this server's to stop or release
    }
    started = false;
    crons.stop();
    Set<String> stillRunning = dispatcher.stop(graceMillis);
    if (graceMillis > 0) {
      try {
        tx.inTransaction(em -> store.releaseStopped(em, config.serverId(), stillRunning));
        if (!stillRunning.isEmpty()) {
          LOG.warning(stillRunning.size() + " workflow turns did not stop within " + graceMillis
              + " ms; their instances are taken over when their leases expire");
        }
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "could not release claims at shutdown; they expire with the lease", e);
      }
    }
    presence.release(graceMillis > 0);
  }

  /** Installs test hooks (the testing kit); {@link TestHooks#NONE} runs everything for real. */
  public void setTestHooks(TestHooks hooks) {
    this.hooks = hooks == null ? TestHooks.NONE : hooks;
  }

  TestHooks hooks() {
    return hooks;
  }

  /** True when no turn runs and no dispatch is pending on this server. */
  public boolean isIdle() {
    return dispatcher.isIdle();
  }

  /** The instance event stream of this server, started on first use. */
  public synchronized EventHub events() {
    if (events == null) {
      events = new EventHub(this, branchExecutor, scheduler, Duration.ofMillis(500));
    }
    return events;
  }

  private final Map<Class<?>, Object> attachments = new ConcurrentHashMap<>();

  /** Attaches a collaborator to this engine (the agents runtime's workflow bridge). */
  public <T> void attach(Class<T> key, T value) {
    attachments.put(key, value);
  }

  /** What {@link #attach} attached under {@code key}, or null. */
  public <T> T attachment(Class<T> key) {
    return key.cast(attachments.get(key));
  }

  /** The engine running {@code step}'s turn, or null for a step of another kind (a test kit). */
  public static WorkflowEngine of(dev.steadfast.workflow.WorkflowStep step) {
    return step instanceof Turn t ? t.engine() : null;
  }

  public void addListener(EngineListener listener) {
    listeners.add(listener);
  }

  public void removeListener(EngineListener listener) {
    listeners.remove(listener);
  }

  // ------------------------------------------------------------------ clients

  /**
   * The client of a workflow, by name or binding.
   *
   * @throws WorkflowException WORKFLOW_NOT_FOUND if none is registered
   */
  public <P> WorkflowClient<P> client(String nameOrBinding) {
    return new Client<>(this, registry.require(nameOrBinding));
  }

  /** The client of a workflow class. */
  public <P> WorkflowClient<P> client(Class<?> workflowClass) {
    WorkflowDefinition d = registry.find(workflowClass);
    if (d == null) {
      throw new WorkflowException(Reason.WORKFLOW_NOT_FOUND,
          "workflow class " + workflowClass.getName() + " is not registered");
    }
    return new Client<>(this, d);
  }

  // ------------------------------------------------------------------ create

  WorkflowInstance create(WorkflowDefinition def, String id, Object params, Retention retention) {
    return create(def, id, params, retention, List.of());
  }

  /**
   * Creates an instance whose row commits in one transaction with {@code extra} statements (e.g.
   * a row of the caller's that tracks it): both are written or neither is.
   *
   * @throws WorkflowException WORKFLOW_NOT_FOUND, INVALID, or ALREADY_EXISTS when the id is in use
   *     (or an extra statement hit a unique key)
   */
  public WorkflowInstance create(String nameOrBinding, String id, Object params,
      List<JournalWriter.Stmt> extra) {
    return create(nameOrBinding, id, params, null, extra);
  }

  /** As above, kept {@code retention} long once finished (null: the defaults). */
  public WorkflowInstance create(String nameOrBinding, String id, Object params,
      Retention retention, List<JournalWriter.Stmt> extra) {
    return create(registry.require(nameOrBinding), id, params, retention, extra);
  }

  private WorkflowInstance create(WorkflowDefinition def, String id, Object params,
      Retention retention, List<JournalWriter.Stmt> extra) {
    String instanceId = id == null ? UUID.randomUUID().toString() : id;
    Limits.checkInstanceId(instanceId);
    String paramsJson = writeParams(params);
    // an instance of a workflow with a concurrency limit is started by a claim, which counts
    boolean own = !def.policy().limited() && dispatcher.reserveSlot();
    long now = now();
    InstanceEntity e = newInstance(def, instanceId, paramsJson, now, retention);
    long claimedAt = System.nanoTime();
    if (own) {
      claimAtCreate(e, now);
    }
    try {
      // group-committed with the journal writes of running turns; a duplicate id fails the
      // INSERT on the unique (workflow_name, instance_id) key, and only this write
      List<JournalWriter.Stmt> stmts = new ArrayList<>(1 + extra.size());
      stmts.add(WorkflowStore.insertInstanceStmt(e, own ? config.lease().toMillis() : null));
      stmts.addAll(extra);
      journal.write(e.getUid(), stmts.toArray(JournalWriter.Stmt[]::new));
    } catch (RuntimeException ex) {
      if (own) {
        dispatcher.releaseSlot(e.getUid());
      }
      if (ex instanceof WorkflowException) {
        throw ex;
      }
      if (isConstraintViolation(ex)) {
        throw alreadyExists(instanceId);
      }
      throw ex;
    }
    emit(Type.WORKFLOW_QUEUED, def.name(), instanceId, null, 0, null, null);
    if (own) {
      emit(Type.WORKFLOW_START, def.name(), instanceId, null, 0, null, null);
      dispatcher.runClaimed(recordOf(e), claimedAt);
    } else {
      dispatcher.requestPoll();
    }
    return new Handle(this, def, instanceId);
  }

  /**
   * An instance this server starts as it creates it: inserted claimed and running, its turn
   * handed to a worker right after the commit (no claim, no status update before its first step).
   */
  void claimAtCreate(InstanceEntity e, long now) {
    // marked as being claimed until its turn is running: a poll must not claim it meanwhile
    dispatcher.markClaiming(e.getUid());
    e.setOwner(config.serverId());
    e.setLeaseUntil(now + config.lease().toMillis());
    e.setStatus(Status.RUNNING.wireName());
    e.setStartedAt(now);
  }

  InstanceEntity newInstance(WorkflowDefinition def, String instanceId, String params, long now,
      Retention retention) {
    InstanceEntity e = new InstanceEntity();
    // the instance's own retention over its workflow's; unset periods: the server's default
    Retention r = (retention == null ? Retention.DEFAULT : retention)
        .orElse(def.policy().retention());
    e.setRetainSuccess(r.success() == null ? null : r.success().toMillis());
    e.setRetainError(r.error() == null ? null : r.error().toMillis());
    e.setUid(UUID.randomUUID().toString());
    e.setWorkflowName(def.name());
    e.setInstanceId(instanceId);
    e.setStatus(Status.QUEUED.wireName());
    e.setParams(params);
    e.setTriggerSource("api");
    e.setVersionId(def.versionId());
    e.setCreatedAt(now);
    e.setModifiedAt(now);
    e.setDueAt(now);
    e.setGen(1);
    e.setSignals(0);
    return e;
  }

  String writeParams(Object params) {
    String text;
    try {
      text = json.write(params);
    } catch (RuntimeException e) {
      throw new WorkflowException(Reason.INVALID, "params cannot be written as JSON: " + e.getMessage());
    }
    Limits.checkSize(text, "params");
    return text;
  }

  private static WorkflowException alreadyExists(String id) {
    return new WorkflowException(Reason.ALREADY_EXISTS, "instance '" + id + "' already exists");
  }

  static boolean isConstraintViolation(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.sql.SQLIntegrityConstraintViolationException
          || c instanceof org.hibernate.exception.ConstraintViolationException) {
        return true;
      }
      if (c instanceof java.sql.SQLException s && s.getSQLState() != null
          && s.getSQLState().startsWith("23")) {
        return true;
      }
    }
    return false;
  }

  // ------------------------------------------------------------------ read

  InstanceRecord record(WorkflowDefinition def, String instanceId) {
    InstanceRecord r = reads.instance(def.name(), instanceId);
    if (r == null) {
      throw notFound(instanceId);
    }
    return r;
  }

  InstanceStatus status(WorkflowDefinition def, String instanceId) {
    return tx.inTransaction(em -> {
      InstanceRecord r = store.instance(em, def.name(), instanceId);
      if (r == null) {
        throw notFound(instanceId);
      }
      ErrorInfo error = r.errorName() == null ? null
          : new ErrorInfo(r.errorName(), r.errorMessage());
      return new InstanceStatus(Status.fromWireName(r.status()), error, r.output(), json::read,
          RollbackControl.outcome(em, r));
    });
  }

  /** Everything recorded for an instance: the row, its steps in order, their attempts. */
  public InstanceView view(String workflowName, String instanceId) {
    WorkflowDefinition def = registry.require(workflowName);
    ReadQueries.Journal j = reads.journal(def.name(), instanceId);
    if (j == null) {
      throw notFound(instanceId);
    }
    return new InstanceView(j.instance(), j.steps(), j.attempts(),
        RollbackControl.outcome(j.instance(), j.rollback()));
  }

  /**
   * An instance with its journal (compensations are steps of kind {@code rollback}) and its
   * rollback (null when none ran).
   */
  public record InstanceView(
      InstanceRecord instance, List<StepRecord> steps, Map<String, List<AttemptRecord>> attempts,
      RollbackOutcome rollback) {}

  private static WorkflowException notFound(String id) {
    return new WorkflowException(Reason.INSTANCE_NOT_FOUND, "instance '" + id + "' not found");
  }

  // ------------------------------------------------------------------ control

  void pause(WorkflowDefinition def, String instanceId) {
    boolean[] pausedNow = new boolean[1];
    String uid = control(def, instanceId, (em, e) -> {
      Status s = Status.fromWireName(e.getStatus());
      if (s.isFinished() || s == Status.ROLLING_BACK) {
        throw illegal(instanceId, s, "pause");
      }
      if (s == Status.PAUSED || s == Status.WAITING_FOR_PAUSE) {
        return false;
      }
      if (e.getOwner() != null) {
        e.setControl("pause");
        e.setStatus(Status.WAITING_FOR_PAUSE.wireName());
      } else {
        e.setStatus(Status.PAUSED.wireName());
        e.setDueAt(null);
        pausedNow[0] = true;
      }
      return true;
    });
    Turn turn = dispatcher.activeTurn(uid);
    if (turn != null) {
      turn.pauseRequested = true;
    }
    if (pausedNow[0]) {
      emit(Type.WORKFLOW_PAUSED, def.name(), instanceId, null, 0, null, null);
    }
  }

  void resume(WorkflowDefinition def, String instanceId) {
    boolean[] resumed = new boolean[1];
    String uid = control(def, instanceId, (em, e) -> {
      Status s = Status.fromWireName(e.getStatus());
      if (s == Status.PAUSED) {
        e.setStatus(Status.QUEUED.wireName());
        e.setDueAt(now());
        e.setControl(null);
        resumed[0] = true;
        return true;
      }
      if (s == Status.WAITING_FOR_PAUSE) {
        e.setStatus(Status.RUNNING.wireName());
        e.setControl(null);
        return true;
      }
      return false;
    });
    Turn turn = dispatcher.activeTurn(uid);
    if (turn != null) {
      turn.pauseRequested = false;
    }
    if (resumed[0]) {
      emit(Type.WORKFLOW_RESUMED, def.name(), instanceId, null, 0, null, null);
      dispatcher.kick(uid);
    }
  }

  void terminate(WorkflowDefinition def, String instanceId, boolean rollback) {
    if (rollback) {
      rollbacks.terminate(def, instanceId);
      return;
    }
    String uid = control(def, instanceId, (em, e) -> {
      Status s = Status.fromWireName(e.getStatus());
      if (s.isFinished()) {
        throw illegal(instanceId, s, "terminate");
      }
      if (s == Status.ROLLING_BACK) {
        e.setRollback(new dev.steadfast.workflow.store.RollbackRecord(
            RollbackOutcome.State.CANCELLED.wireName(), null, null, null));
      }
      e.setStatus(Status.TERMINATED.wireName());
      e.setEndedAt(now());
      e.setPurgeAt(e.getRetainError() == null ? null : e.getEndedAt() + e.getRetainError());
      e.setDueAt(null);
      e.setOwner(null);
      e.setLeaseUntil(null);
      e.setControl(null);
      return true;
    });
    Turn turn = dispatcher.activeTurn(uid);
    if (turn != null) {
      turn.abandon();
    }
    emit(Type.WORKFLOW_TERMINATED, def.name(), instanceId, null, 0, null, null);
  }

  void restart(WorkflowDefinition def, String instanceId, RestartFrom from) {
    String uid = control(def, instanceId, (em, e) -> {
      int oldGen = e.getGen();
      int newGen = oldGen + 1;
      if (from == null) {
        store.deleteGeneration(em, e.getUid(), oldGen);
      } else {
        String key = from.type() + ":" + from.name() + "-" + from.count();
        StepRecord step = store.steps(em, e.getUid(), oldGen).stream()
            .filter(s -> s.key().equals(key)).findFirst().orElse(null);
        if (step == null) {
          throw new WorkflowException(Reason.INVALID, "instance '" + instanceId + "' has no "
              + from.type() + " step '" + from.name() + "' (occurrence " + from.count()
              + ") to restart from");
        }
        store.carryOver(em, e.getUid(), oldGen, newGen, step.seq());
      }
      e.setGen(newGen);
      e.setRollback(null);
      e.setStatus(Status.QUEUED.wireName());
      e.setOutput(null);
      e.setErrorName(null);
      e.setErrorMessage(null);
      e.setStartedAt(null);
      e.setEndedAt(null);
      e.setPurgeAt(null);
      e.setDueAt(now());
      e.setOwner(null);
      e.setLeaseUntil(null);
      e.setControl(null);
      return true;
    });
    Turn turn = dispatcher.activeTurn(uid);
    if (turn != null) {
      turn.abandon();
    }
    emit(Type.WORKFLOW_QUEUED, def.name(), instanceId, null, 0, null, null);
    dispatcher.kick(uid);
  }

  void sendEvent(WorkflowDefinition def, String instanceId, String type, Object payload) {
    Limits.checkEventType(type);
    String text;
    try {
      text = json.write(payload);
    } catch (RuntimeException e) {
      throw new WorkflowException(Reason.INVALID, "event payload cannot be written as JSON: "
          + e.getMessage());
    }
    Limits.checkSize(text, "event payload");
    boolean[] wake = new boolean[1];
    // a waiting instance this server can run is claimed in the event's own transaction, and the
    // event handed to its wait there: one commit from the call to the resumed turn
    EventDelivery.ClaimWithEvent claim = new EventDelivery.ClaimWithEvent(this, def);
    String uid;
    try {
      uid = control(def, instanceId, (em, e) -> {
        Status s = Status.fromWireName(e.getStatus());
        if (s.isFinished()) {
          throw illegal(instanceId, s, "send an event to");
        }
        store.insertEvent(em, e.getUid(), type, text, now());
        if (s == Status.WAITING && e.getOwner() == null) {
          e.setDueAt(now());
          wake[0] = true;
        }
        return true;
      }, (em, e) -> wake[0] && claim.take(em, e));
    } catch (RuntimeException | Error ex) {
      claim.drop();
      throw ex;
    }
    if (!claim.start() && wake[0]) {
      dispatcher.kick(uid);
    }
  }

  /** A control change under a row lock; bumps the signal count when it changed something. */
  String control(WorkflowDefinition def, String instanceId, ControlChange change) {
    return control(def, instanceId, change, null);
  }

  /** As above; {@code then} (if not null) runs in the same transaction after the signal count. */
  private String control(WorkflowDefinition def, String instanceId, ControlChange change,
      ControlChange then) {
    return tx.inTransaction(em -> {
      InstanceEntity e = store.lockInstance(em, def.name(), instanceId);
      if (e == null) {
        throw notFound(instanceId);
      }
      if (change.apply(em, e)) {
        e.setSignals(e.getSignals() + 1);
        e.setModifiedAt(now());
      }
      if (then != null) {
        then.apply(em, e);
      }
      return e.getUid();
    });
  }

  @FunctionalInterface
  interface ControlChange {
    boolean apply(EntityManager em, InstanceEntity e);
  }

  static WorkflowException illegal(String id, Status s, String what) {
    return new WorkflowException(Reason.ILLEGAL_STATE,
        "cannot " + what + " instance '" + id + "': it is " + s.wireName());
  }

  // ------------------------------------------------------------------ turn outcomes

  void finishTurn(Turn turn, Turn.Outcome outcome) {
    InstanceRecord r = turn.instance;
    String wf = r.workflowName();
    long now = now();
    switch (outcome.kind()) {
      case COMPLETE -> {
        String out;
        try {
          out = json.write(outcome.output());
          Limits.checkSize(out, "the workflow's output");
        } catch (RuntimeException e) {
          boolean ok = release(turn, false, Status.ERRORED, null, null, "SerializationError",
              "the output cannot be stored: " + e.getMessage(), now);
          if (ok) {
            emit(Type.WORKFLOW_FAILURE, wf, r.instanceId(), null, 0, "SerializationError", e.getMessage());
          }
          return;
        }
        if (release(turn, false, Status.COMPLETE, null, out, null, null, now)) {
          emit(Type.WORKFLOW_SUCCESS, wf, r.instanceId(), null, 0, null, null);
        } else {
          settleConflict(turn); // a terminate with rollback may wait for it
        }
      }
      case ERRORED -> {
        if (release(turn, false, Status.ERRORED, null, null, outcome.errorName(),
            outcome.errorMessage(), now)) {
          emit(Type.WORKFLOW_FAILURE, wf, r.instanceId(), null, 0, outcome.errorName(),
              outcome.errorMessage());
        } else {
          settleConflict(turn);
        }
      }
      case ROLLED_BACK -> rollbacks.end(turn, outcome, now);
      case SUSPENDED -> {
        if (turn.rollingBack) {
          rollbacks.waitUntil(turn, outcome.dueAt(), now);
        } else if (release(turn, true, Status.WAITING, outcome.dueAt(), null, null, null, now)) {
          dispatcher.wakeAt(outcome.dueAt());
        } else {
          settleConflict(turn);
        }
      }
      case PAUSED -> {
        if (release(turn, true, Status.PAUSED, null, null, null, null, now)) {
          emit(Type.WORKFLOW_PAUSED, wf, r.instanceId(), null, 0, null, null);
        } else {
          settleConflict(turn);
        }
      }
      case RETRY -> retryLater(turn, outcome.errorName() + ": " + outcome.errorMessage());
      case HANDED_OFF -> handOff(turn, (String) outcome.output(), outcome.errorMessage());
      case ABANDONED -> { }
      default -> throw new IllegalStateException(outcome.kind().toString());
    }
    if (outcome.kind() != Turn.Outcome.Kind.RETRY) {
      retries.remove(r.uid());
    }
  }

  /**
   * A turn failed for a reason that is not the workflow's (see {@link EnvironmentFailure}): the
   * instance is let go and runs again after a back-off (1 s, doubling, at most 5 minutes), on
   * this server or another. Safe to call whatever the turn wrote before: it only releases a claim
   * this server still holds.
   */
  void retryLater(Turn turn, String why) {
    InstanceRecord r = turn.instance;
    int n = retries.merge(r.uid(), 1, Integer::sum);
    long delay = Math.min(MAX_RETRY_DELAY, 1000L << Math.min(n - 1, 20));
    long due = now() + delay;
    LOG.warning("turn of instance " + r.instanceId() + " of workflow " + r.workflowName()
        + " failed (" + why + "), not by the workflow's fault; it runs again in " + delay + " ms");
    if (turn.rollingBack) {
      rollbacks.waitUntil(turn, due, now());
    } else if (release(turn, true, Status.WAITING, due, null, null, null, now())) {
      dispatcher.wakeAt(due);
    } else {
      settleConflict(turn);
    }
  }

  /**
   * A turn asked to run on {@code server} instead ({@link RunElsewhere}): the instance is due at
   * once and reserved for that server for a lease, then free for any server. Nothing of the turn
   * was written; the status stays as it was.
   */
  void handOff(Turn turn, String server, String why) {
    InstanceRecord r = turn.instance;
    if (server == null || server.equals(serverId())) {
      retryLater(turn, "it asked to run on this server again: " + why);
      return;
    }
    LOG.fine(() -> "instance " + r.instanceId() + " of workflow " + r.workflowName()
        + " moves to server " + server + ": " + why);
    long now = now();
    if (!journal.run(turn.closingWrite(WorkflowStore.handOffStmt(turn.claim, r.gen(),
        r.signals(), server, config.lease().toMillis(), now)))) {
      settleConflict(turn);
    }
    // that server's next poll (every poll interval) finds it due and reserved for it
  }

  private boolean release(Turn turn, boolean checkSignals, Status status, Long due, String output,
      String errorName, String errorMessage, long now) {
    InstanceRecord r = turn.instance;
    errorName = Limits.errorName(errorName);
    errorMessage = Limits.errorMessage(errorMessage);
    Long ended = status.isFinished() ? now : null;
    return journal.run(turn.closingWrite(WorkflowStore.releaseStmt(turn.claim, r.gen(),
        r.signals(), checkSignals, status.wireName(), due, output, errorName, errorMessage, ended,
        now)));
  }

  /**
   * A turn wanted to wait but the row changed meanwhile: an event or a control request arrived.
   * Applies a pending pause, otherwise makes the instance due at once so it looks again.
   */
  private void settleConflict(Turn turn) {
    InstanceRecord r = turn.instance;
    boolean[] paused = new boolean[1];
    // the start of a sleep or a wait that the refused release was to write: written here, so
    // that the next turn finds it and the sleep or wait keeps the time it began
    List<JournalWriter.Stmt> kept = turn.keptOfRefusedClose();
    boolean rerun = tx.inTransaction(em -> {
      if (!store.fence(em, turn.claim)) {
        return false; // taken over, terminated or restarted meanwhile
      }
      InstanceEntity e = store.lockInstanceByUid(em, r.uid());
      if (e == null || e.getGen() != r.gen()) {
        return false;
      }
      store.execute(em, kept); // before the instance row lets the claim go: fenced by it
      long now = now();
      e.setOwner(null);
      e.setLeaseUntil(null);
      e.setModifiedAt(now);
      if (Rollbacks.TERMINATE_CONTROL.equals(e.getControl())
          || Status.ROLLING_BACK.wireName().equals(e.getStatus())) {
        // rolls back in a turn of its own (which keeps the request: it says why)
        e.setStatus(Status.ROLLING_BACK.wireName());
        e.setDueAt(now);
        return true;
      }
      if ("pause".equals(e.getControl())) {
        e.setStatus(Status.PAUSED.wireName());
        e.setControl(null);
        e.setDueAt(null);
        paused[0] = true;
        return false;
      }
      e.setStatus(Status.WAITING.wireName());
      e.setDueAt(now);
      return true;
    });
    if (paused[0]) {
      emit(Type.WORKFLOW_PAUSED, r.workflowName(), r.instanceId(), null, 0, null, null);
    }
    if (rerun) {
      dispatcher.requestPoll();
    }
  }

  /** Rows the retention sweep deletes per transaction (and per tick of the periodic sweep). */
  static final int SWEEP_BATCH = 500;

  /** Deletes every finished instance older than the retention period, a batch at a time. */
  void sweepRetention() {
    int total = 0;
    int n;
    do {
      n = sweepRetentionBatch();
      total += n;
    } while (n == SWEEP_BATCH);
    if (total > 0) {
      LOG.info("deleted " + total + " finished workflow instances past their retention");
    }
  }

  /** Deletes one batch of finished instances past their retention; returns how many. */
  int sweepRetentionBatch() {
    long now = now();
    return ConflictRetry.inTransaction(tx, em -> {
      List<String> uids = RetentionQueries.expired(em, now, config.retention().toMillis(),
          SWEEP_BATCH);
      store.deleteInstances(em, uids);
      return uids.size();
    });
  }

  // ------------------------------------------------------------------ faults

  /** The database's reachability as this engine sees it (readiness checks use it). */
  public DatabaseHealth health() {
    return health;
  }

  /**
   * Null while the engine makes progress, else why it looks stuck (liveness checks use it): a
   * dispatcher or lease thread that stopped ticking, or a journal write waiting far longer than
   * any database round trip should take while the database is reachable.
   */
  public String stuck() {
    String d = dispatcher.stuck();
    if (d != null) {
      return d;
    }
    long oldest = journal.oldestWaitMillis();
    long limit = Math.max(60_000, 2 * config.lease().toMillis());
    if (health.isUp() && oldest > limit) {
      return "a journal write has waited " + oldest + " ms";
    }
    return null;
  }

  /**
   * A journal write of a turn failed (not refused: failed). The turn is abandoned with its claim
   * still ours; the dispatcher runs it again when the database is back, or after a back-off.
   */
  void turnWriteFailed(Turn turn, RuntimeException e) {
    if (!health.failed(e)) {
      LOG.log(Level.WARNING, "journal write for instance " + turn.instance.instanceId()
          + " failed; the turn runs again after a back-off", e);
    }
    dispatcher.retryLater(turn.uid());
  }

  /** The database answers again: run at once what failed while it did not. */
  private void databaseBack() {
    dispatcher.databaseBack();
  }

  // ------------------------------------------------------------------ events

  void emit(Type type, String workflow, String instanceId, String step, int attempt,
      String errorName, String errorMessage) {
    if (listeners.isEmpty()) {
      return;
    }
    EngineEvent e = new EngineEvent(type, workflow, instanceId, step, attempt,
        Instant.ofEpochMilli(now()), errorName, errorMessage);
    for (EngineListener l : listeners) {
      try {
        l.onEvent(e);
      } catch (RuntimeException ex) {
        LOG.log(Level.WARNING, "workflow event listener failed", ex);
      }
    }
  }

  /** Queues an event raised inside a transaction; {@link #flushEvents} sends it after commit. */
  void emitLater(Type type, String workflow, String instanceId) {
    PENDING.get().add(new EngineEvent(type, workflow, instanceId, null, 0,
        Instant.ofEpochMilli(now()), null, null));
  }

  void flushEvents() {
    List<EngineEvent> pending = PENDING.get();
    if (pending.isEmpty()) {
      return;
    }
    List<EngineEvent> copy = new ArrayList<>(pending);
    pending.clear();
    for (EngineEvent e : copy) {
      emit(e.type(), e.workflow(), e.instanceId(), null, 0, null, null);
    }
  }

  static InstanceRecord recordOf(InstanceEntity e) {
    return new InstanceRecord(e.getUid(), e.getWorkflowName(), e.getInstanceId(), e.getStatus(),
        e.getParams(), e.getOutput(), e.getErrorName(), e.getErrorMessage(), e.getTriggerSource(),
        e.getVersionId(), e.getCreatedAt(), e.getModifiedAt(), e.getStartedAt(), e.getEndedAt(),
        e.getDueAt(), e.getOwner(), e.getLeaseUntil(), e.getGen(), e.getSignals(), e.getControl());
  }

  // ------------------------------------------------------------------ accessors

  long now() {
    return clock.millis();
  }

  public Clock clock() {
    return clock;
  }

  public EngineConfig config() {
    return config;
  }

  public WorkflowRegistry registry() {
    return registry;
  }

  public String serverId() {
    return config.serverId();
  }

  /** Turns running on this server now. */
  public int runningTurns() {
    return dispatcher.activeCount();
  }

  /** The earliest time an instance becomes due (or a foreign lease expires), or null. */
  public Long nextDueAt() {
    return tx.inTransaction(em -> store.nextWake(em, config.serverId(), gate.saturated(em)));
  }

  Dispatcher dispatcher() {
    return dispatcher;
  }

  /** Runs a dispatch poll now (tests, operators). */
  public void pollNow() {
    dispatcher.poll();
  }

  JournalWriter journal() {
    return journal;
  }

  BatchCreator batches() {
    return batches;
  }

  ConcurrencyGate gate() {
    return gate;
  }

  CronScheduler crons() {
    return crons;
  }

  AttemptMonitor monitor() {
    return monitor;
  }

  Transactor tx() {
    return tx;
  }

  WakeUpTimer timer() {
    return timer;
  }

  ExecutorService turnExecutor() {
    return turnExecutor;
  }

  ExecutorService branchExecutor() {
    return branchExecutor;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  ReadQueries reads() {
    return reads;
  }

  WorkflowStore store() {
    return store;
  }

  public Json json() {
    return json;
  }

  // ------------------------------------------------------------------ admin (REST API)
  // Added for the Cloudflare v4 REST API (dev.steadfast.api): listing, bulk deletion and
  // workflow-level information. Each method runs in its own transaction.

  /** A deployed workflow with its stored row and instance counts per status. */
  public record WorkflowInfo(
      WorkflowDefinition definition, WorkflowRecord row, Map<String, Long> counts,
      Long triggeredAt) {}

  /** Every deployed workflow, by name. */
  public List<WorkflowInfo> workflows() {
    List<WorkflowDefinition> defs = new ArrayList<>(registry.all());
    defs.sort(java.util.Comparator.comparing(WorkflowDefinition::name));
    return infos(defs);
  }

  /** Read in two statements; a workflow whose row was deleted is registered again first. */
  private List<WorkflowInfo> infos(List<WorkflowDefinition> defs) {
    Map<String, ReadQueries.WorkflowSummary> rows = reads.workflows(
        defs.stream().map(WorkflowDefinition::name).collect(java.util.stream.Collectors.toSet()));
    List<WorkflowInfo> out = new ArrayList<>();
    for (WorkflowDefinition d : defs) {
      ReadQueries.WorkflowSummary w = rows.get(d.name());
      out.add(w == null ? tx.inTransaction(em -> info(em, d))
          : new WorkflowInfo(d, w.row(), w.counts(), w.triggeredAt()));
    }
    return out;
  }

  /**
   * One deployed workflow.
   *
   * @throws WorkflowException WORKFLOW_NOT_FOUND if none is deployed under that name or binding
   */
  public WorkflowInfo workflow(String name) {
    WorkflowDefinition d = registry.require(name);
    return infos(List.of(d)).get(0);
  }

  private WorkflowInfo info(EntityManager em, WorkflowDefinition d) {
    WorkflowRecord row = store.workflow(em, d.name());
    if (row == null) {
      // deleted while deployed: the code is still here, so the workflow is registered again
      store.registerWorkflow(em, d.name(), d.workflowClass().getName(), d.binding(), d.versionId(),
          now());
      row = store.workflow(em, d.name());
    }
    return new WorkflowInfo(d, row, store.statusCounts(em, d.name()),
        store.lastTriggered(em, d.name()));
  }

  /**
   * A page of instances, newest first unless {@code ascending}; {@code after} is the last
   * instance of the previous page (keyset paging), or null. Returns up to {@code limit} rows.
   */
  public List<InstanceRecord> listInstances(String workflowName, List<String> statuses,
      Long createdFrom, Long createdTo, boolean ascending, Long afterCreatedAt, String afterUid,
      int limit) {
    WorkflowDefinition def = registry.require(workflowName);
    return reads.listInstances(def.name(), statuses, createdFrom, createdTo, ascending,
        afterCreatedAt, afterUid, limit);
  }

  /** Deletes instances by id with everything recorded for them; returns the ids not found. */
  public List<String> deleteInstances(String workflowName, List<String> instanceIds) {
    WorkflowDefinition def = registry.require(workflowName);
    List<String> missing = new ArrayList<>();
    List<String> uids = ConflictRetry.inTransaction(tx, em -> {
      missing.clear(); // a retried transaction starts over
      List<String> found = new ArrayList<>();
      for (String id : instanceIds) {
        InstanceEntity e = store.lockInstance(em, def.name(), id);
        if (e == null) {
          missing.add(id);
        } else {
          found.add(e.getUid());
        }
      }
      store.deleteInstances(em, found);
      return found;
    });
    abandonTurns(uids);
    return missing;
  }

  /**
   * Terminates every unfinished instance of the workflow, or only those in {@code status};
   * returns how many were terminated. Instances that finish meanwhile are skipped.
   */
  public int terminateAll(String workflowName, String status) {
    WorkflowDefinition def = registry.require(workflowName);
    List<String> statuses = status != null ? List.of(status)
        : java.util.Arrays.stream(Status.values()).filter(s -> !s.isFinished())
            .map(Status::wireName).toList();
    int n = 0;
    Long afterAt = null;
    String afterUid = null;
    while (true) {
      Long a = afterAt;
      String u = afterUid;
      List<InstanceRecord> page = tx.inTransaction(em -> store.listInstances(em, def.name(),
          statuses, null, null, true, a, u, 200));
      for (InstanceRecord r : page) {
        try {
          terminate(def, r.instanceId(), false);
          n++;
        } catch (WorkflowException e) {
          // finished or deleted between the listing and now: nothing to terminate
        }
      }
      if (page.size() < 200) {
        return n;
      }
      afterAt = page.get(page.size() - 1).createdAt();
      afterUid = page.get(page.size() - 1).uid();
    }
  }

  /** Deletes all instances of the workflow and its row; returns the number of instances. */
  public int deleteWorkflow(String workflowName) {
    WorkflowDefinition def = registry.require(workflowName);
    // a transaction per batch: a workflow with a million instances neither loads them all nor
    // sends one IN list past PostgreSQL's 32,767 parameters
    int n = 0;
    List<String> uids;
    do {
      uids = ConflictRetry.inTransaction(tx, em -> {
        List<String> batch = store.instanceUids(em, def.name(), 500);
        store.deleteInstances(em, batch);
        return batch;
      });
      abandonTurns(uids);
      n += uids.size();
    } while (uids.size() == 500);
    return n + tx.inTransaction(em -> store.deleteWorkflow(em, def.name()));
  }

  private void abandonTurns(List<String> uids) {
    for (String uid : uids) {
      Turn turn = dispatcher.activeTurn(uid);
      if (turn != null) {
        turn.abandon();
      }
    }
  }
}
