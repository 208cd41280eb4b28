package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.EventTimeoutException;
import dev.steadfast.workflow.NonRetryableError;
import dev.steadfast.workflow.ReceivedEvent;
import dev.steadfast.workflow.Rollback;
import dev.steadfast.workflow.StepConfig;
import dev.steadfast.workflow.StepContext;
import dev.steadfast.workflow.StepFailedException;
import dev.steadfast.workflow.StepResultTooLargeException;
import dev.steadfast.workflow.TypeRef;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.WorkflowStep;
import dev.steadfast.workflow.store.AttemptRecord;
import dev.steadfast.workflow.store.Claim;
import dev.steadfast.workflow.store.InstanceRecord;
import dev.steadfast.workflow.store.JournalWriter;
import dev.steadfast.workflow.store.JournalWriter.Stmt;
import dev.steadfast.workflow.store.StepRecord;
import dev.steadfast.workflow.store.StepState;
import dev.steadfast.workflow.store.WorkflowStore;
import jakarta.persistence.EntityManager;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One turn of one instance: replays {@code run} against the journal loaded when the turn began,
 * runs the first step that has no recorded outcome, and goes on until the workflow returns, fails,
 * or has to wait (sleep, event, retry delay, pause). Each completed step is one transaction; the
 * journal is not read again during the turn.
 */
final class Turn implements WorkflowStep {
  private static final Logger LOG = Logger.getLogger(Turn.class.getName());

  /** result_type of a failed do step whose error was a NonRetryableError. */
  static final String NON_RETRYABLE = "!NonRetryableError";

  /** The error of a step whose attempts were lost too often (a poison step). */
  static final String ATTEMPTS_LOST = "AttemptsLost";

  /** The error of a turn whose journal write the database refuses, and would refuse again. */
  static final String JOURNAL_WRITE_REJECTED = "JournalWriteRejected";

  /**
   * How a turn ended. {@code output} is the workflow's output (COMPLETE) or the rollback's
   * {@link dev.steadfast.workflow.store.RollbackRecord} (ROLLED_BACK).
   */
  record Outcome(Kind kind, Object output, String errorName, String errorMessage, long dueAt) {
    enum Kind {
      COMPLETE,
      ERRORED,
      SUSPENDED,
      PAUSED,
      ABANDONED,
      /** Not the workflow's failure (see {@link EnvironmentFailure}): run the turn again later. */
      RETRY,
      /** A replay to collect compensations stopped where nothing was recorded (internal). */
      HALTED,
      /** The compensations ended (all succeeded, or one failed for good). */
      ROLLED_BACK,
      /** Run on another server ({@link RunElsewhere}; {@code output} is its id): hand it over. */
      HANDED_OFF
    }
  }

  private final WorkflowEngine engine;
  private final WorkflowDefinition def;
  final InstanceRecord instance;
  /** This turn's claim: every journal write of the turn is conditional on it. */
  final Claim claim;
  /**
   * System.nanoTime() after which the lease may have run out (the last successful renewal plus the
   * lease, minus a margin): from then on the turn runs no further step.
   */
  private volatile long leaseDeadline;
  private final Map<String, StepRecord> journal = new ConcurrentHashMap<>();
  private final Map<String, Integer> counters = new HashMap<>();
  private final AtomicInteger nextSeq = new AtomicInteger();
  private final AtomicInteger doSteps = new AtomicInteger();
  /** Statements for the next journal write (see {@link #defer}); guarded by itself. */
  private final List<Stmt> deferred = new ArrayList<>(1);
  /** Of {@link #deferred}, those kept when the turn's closing write is refused; guarded by it. */
  private final List<Stmt> deferredKept = new ArrayList<>(1);
  /** What a refused closing write held that must still be written ({@link #keptOfRefusedClose}). */
  private volatile List<Stmt> refusedKept = List.of();
  /** Threads running step code (a callable) now; guarded by itself. */
  private final Set<Thread> inStep = new java.util.HashSet<>();
  volatile boolean pauseRequested;
  private volatile boolean abandoned;
  /**
   * The previous turn of this instance never ended (its server stopped, or the turn was
   * abandoned): record every attempt's start before running it, so that a step which kills the
   * server again is seen as lost and counted, however fast it kills it.
   */
  volatile boolean recovering;
  /** The compensations registered by this turn's steps, and the rollback that runs them. */
  final Rollbacks rollbacks = new Rollbacks(this);
  /**
   * Rolling back: a replay of {@code run} collects compensations and starts nothing (see {@link
   * Signals.Halt}); then they run. Set when the turn claimed a rollingBack instance, when {@code
   * run} failed with compensations registered, or by a terminate with rollback while it runs.
   */
  volatile boolean rollingBack;
  /** Why it rolls back: a terminate with rollback (else the failure of {@code run}). */
  volatile boolean rollbackForTerminate;

  /**
   * @param epoch the claim epoch the claim gave the instance
   * @param claimedAtNanos System.nanoTime() taken before the claim was sent: the lease runs from
   *     no earlier than that
   */
  Turn(WorkflowEngine engine, WorkflowDefinition def, InstanceRecord instance, long epoch,
      long claimedAtNanos, List<StepRecord> steps) {
    this.engine = engine;
    this.def = def;
    this.instance = instance;
    this.claim = new Claim(instance.uid(), engine.serverId(), epoch, engine.journal().dialect());
    leaseRenewed(claimedAtNanos);
    this.pauseRequested = "pause".equals(instance.control());
    if (dev.steadfast.workflow.Status.ROLLING_BACK.wireName().equals(instance.status())) {
      rollingBack = true;
      rollbackForTerminate = Rollbacks.TERMINATE_CONTROL.equals(instance.control());
    }
    int maxSeq = -1;
    for (StepRecord s : steps) {
      journal.put(s.key(), s);
      maxSeq = Math.max(maxSeq, s.seq());
      if (s.kind().equals("do")) {
        doSteps.incrementAndGet();
      }
    }
    nextSeq.set(maxSeq + 1);
  }

  String uid() {
    return instance.uid();
  }


  WorkflowEngine engine() {
    return engine;
  }

  String workflowName() {
    return def.name();
  }

  /** Writes one fenced statement of this turn (see {@link #journal(List)}). */
  void journalNow(Stmt stmt) {
    journal(List.of(stmt));
  }

  /** The recorded result of a succeeded step, as {@code type} (null: its recorded class). */
  <T> T decodeResult(StepRecord rec, TypeRef<T> type) {
    return decode(rec, type);
  }

  int gen() {
    return instance.gen();
  }

  /** A renewal that started at {@code renewedAtNanos} extended this turn's lease. */
  void leaseRenewed(long renewedAtNanos) {
    leaseDeadline = renewedAtNanos + engine.config().lease().toNanos()
        - engine.config().leaseMargin().toNanos();
  }

  /** Whether the lease may have run out: no renewal succeeded for the lease minus the margin. */
  boolean leaseLapsed() {
    return System.nanoTime() - leaseDeadline > 0;
  }

  /**
   * Stops the turn at its next step boundary and interrupts the step code it is running. Only
   * step code is interrupted, never the engine's own database work: an interrupt inside file I/O
   * closes H2's file channel, and with it the whole database.
   */
  void abandon() {
    abandoned = true;
    synchronized (inStep) {
      inStep.forEach(Thread::interrupt);
    }
  }

  private void enterStep() {
    synchronized (inStep) {
      inStep.add(Thread.currentThread());
    }
  }

  /** Leaves step code; no interrupt meant for it can reach the thread after this. */
  private void leaveStep() {
    synchronized (inStep) {
      inStep.remove(Thread.currentThread());
      Thread.interrupted();
    }
  }

  private void interruptInStep(Thread t) {
    synchronized (inStep) {
      if (inStep.contains(t)) {
        t.interrupt();
      }
    }
  }

  /** A terminate with rollback arrived while this turn runs: the step in flight ends first. */
  void requestRollback() {
    rollbackForTerminate = true;
    rollingBack = true;
  }

  Outcome execute() {
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(def.workflowClass().getClassLoader());
    try {
      Outcome o = runWorkflow();
      boolean failed = o.kind() == Outcome.Kind.ERRORED
          && !JOURNAL_WRITE_REJECTED.equals(o.errorName());
      // rolling back (asked before or while run ran): whatever run reached, the compensations
      // of every step with an outcome are registered now
      boolean reached = o.kind() != Outcome.Kind.ABANDONED && o.kind() != Outcome.Kind.RETRY
          && o.kind() != Outcome.Kind.HANDED_OFF && o.kind() != Outcome.Kind.ERRORED || failed;
      if (rollingBack ? reached : failed && rollbacks.any()) {
        try {
          return rollbacks.rollBack(o.errorName(), o.errorMessage());
        } catch (Throwable t) {
          return outcomeOf(t);
        }
      }
      return o;
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
      Thread.interrupted(); // never hand an interrupted thread back to the pool
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Outcome runWorkflow() {
    try {
      Object params;
      try {
        params = engine.json().read(instance.params(), def.paramsType());
      } catch (RuntimeException e) {
        return new Outcome(Outcome.Kind.ERRORED, null, "SerializationError",
            "params cannot be read as " + def.paramsType().getTypeName() + ": " + e.getMessage(), 0);
      }
      WorkflowEvent event =
          new WorkflowEvent(params, Instant.ofEpochMilli(instance.createdAt()), instance.instanceId());
      WorkflowEntrypoint entrypoint = def.factory().get();
      Object output = entrypoint.run(event, this);
      if (abandoned) {
        return new Outcome(Outcome.Kind.ABANDONED, null, null, null, 0);
      }
      return new Outcome(Outcome.Kind.COMPLETE, output, null, null, 0);
    } catch (Throwable t) {
      return outcomeOf(t);
    }
  }

  /** The outcome of a turn that {@code t} ended. */
  private Outcome outcomeOf(Throwable thrown) {
    try {
      throw thrown;
    } catch (Signals.Halt h) {
      return new Outcome(Outcome.Kind.HALTED, null, null, null, 0);
    } catch (Signals.Suspend s) {
      return s.pause
          ? new Outcome(Outcome.Kind.PAUSED, null, null, null, 0)
          : new Outcome(Outcome.Kind.SUSPENDED, null, null, null, s.dueAt);
    } catch (Signals.Abandon a) {
      return new Outcome(Outcome.Kind.ABANDONED, null, null, null, 0);
    } catch (Signals.Fatal f) {
      return new Outcome(Outcome.Kind.ERRORED, null, f.errorName, f.getMessage(), 0);
    } catch (Signals.Retry r) {
      return new Outcome(Outcome.Kind.RETRY, null, r.errorName, r.getMessage(), 0);
    } catch (RunElsewhere h) {
      return new Outcome(Outcome.Kind.HANDED_OFF, h.server(), null, h.getMessage(), 0);
    } catch (Throwable t) {
      if (abandoned) {
        return new Outcome(Outcome.Kind.ABANDONED, null, null, null, 0);
      }
      if (EnvironmentFailure.is(t)) {
        // the JVM or the deployment failed, not the workflow: run the turn again later
        LOG.log(Level.WARNING, "turn of instance " + instance.instanceId() + " failed with "
            + t + "; it runs again later", t);
        return new Outcome(Outcome.Kind.RETRY, null, errorName(t),
            Limits.errorMessage(String.valueOf(t.getMessage())), 0);
      }
      return new Outcome(Outcome.Kind.ERRORED, null, errorName(t), String.valueOf(t.getMessage()), 0);
    }
  }

  /** The recorded name of an error: see {@link Limits#errorName}. */
  static String errorName(Throwable t) {
    if (t instanceof NonRetryableError n) {
      return Limits.errorName(n.errorName());
    }
    if (t instanceof StepFailedException s) {
      return Limits.errorName(s.errorName());
    }
    if (t instanceof StepResultTooLargeException) {
      return "StepResultTooLarge";
    }
    if (t instanceof EventTimeoutException || t instanceof StepTimeoutException) {
      return "TimeoutError";
    }
    return Limits.errorName(t.getClass().getSimpleName());
  }

  // ------------------------------------------------------------------ step.run

  @Override
  public <T> T run(String name, StepConfig config, TypeRef<T> type, Callable<T> callable) {
    return run(name, config, type, callable, null, null);
  }

  @Override
  public <T> T run(String name, StepConfig config, TypeRef<T> type, Callable<T> callable,
      Rollback<T> rollback, StepConfig rollbackConfig) {
    Limits.checkStepName(name);
    checkpoint();
    int count = nextCount("do", name);
    String key = StepKind.DO.key(name, count);
    StepRecord rec = journal.get(key);
    if (rollingBack && (rec == null || !rec.isFinished())) {
      // nothing new starts; a step waiting for its next attempt has an outcome: its last error
      if (rollback != null && rec != null && rec.failures() > 0) {
        rollbacks.register(key, name, count, type, rollback, rollbackConfig);
      }
      throw new Signals.Halt();
    }
    try {
      T value = durable(StepKind.DO, rec, key, name, count, config, type, callable);
      if (rollback != null) {
        rollbacks.register(key, name, count, type, rollback, rollbackConfig);
      }
      return value;
    } catch (StepFailedException | NonRetryableError e) {
      if (rollback != null) {
        rollbacks.register(key, name, count, type, rollback, rollbackConfig);
      }
      throw e;
    }
  }

  /**
   * Runs the compensation of do step {@code name}-{@code count} as a durable step of its own
   * (nothing if it succeeded before).
   *
   * @throws StepFailedException or NonRetryableError when it failed for good
   */
  void compensate(String name, int count, StepConfig config, Callable<Object> callable) {
    checkpoint();
    String key = StepKind.ROLLBACK.key(name, count);
    durable(StepKind.ROLLBACK, journal.get(key), key, name, count, config, null, callable);
  }

  /** The journal row of {@code key} as this turn knows it, or null. */
  StepRecord journalRow(String key) {
    return journal.get(key);
  }

  /**
   * Durable execution of one step (a do step or a compensation): the recorded outcome if there
   * is one, else the next attempt.
   */
  private <T> T durable(StepKind kind, StepRecord rec, String key, String name, int count,
      StepConfig config, TypeRef<T> type, Callable<T> callable) {
    StepConfig effective;
    int attempt;
    int failures;
    boolean lostAttempt = false;
    if (rec == null) {
      if (kind == StepKind.DO) {
        StepLimits.check(def, engine.config(), doSteps.get(), name);
      }
      effective = (config == null ? StepConfig.EMPTY : config).over(engine.config().stepDefaults());
      attempt = 1;
      failures = 0;
    } else {
      switch (rec.state()) {
        case StepState.SUCCEEDED:
          return decode(rec, type);
        case StepState.FAILED:
          throw replayError(rec);
        case StepState.RETRYING:
          if (rec.dueAt() != null && rec.dueAt() > engine.now()) {
            throw new Signals.Suspend(rec.dueAt(), false);
          }
          break;
        case StepState.RUNNING:
          // the server running the last attempt stopped before it ended: a lost attempt
          if (rec.attempts() - rec.failures() >= engine.config().maxLostAttempts()) {
            throw attemptsLost(rec, key, name, count);
          }
          lostAttempt = true;
          break;
        default:
          throw new Signals.Fatal("JournalError", "step '" + name + "' is recorded as "
              + rec.state() + ", not as a " + kind.kind + " step");
      }
      effective = StepConfigCodec.read(engine.json(), rec.config(), engine.config().stepDefaults())
          // a function is not recorded: the code passes it again (the delays it chose are)
          .withDelayFunction(config == null || config.delayFunction() == null
              ? engine.config().stepDefaults().delayFunction() : config.delayFunction());
      attempt = rec.attempts() + 1;
      failures = rec.failures();
    }
    return attempt(kind, rec, key, name, count, attempt, failures, lostAttempt, effective, type,
        callable);
  }

  private <T> T attempt(StepKind kind, StepRecord rec, String key, String name, int count,
      int attempt, int failures, boolean lostAttempt, StepConfig config, TypeRef<T> type,
      Callable<T> callable) {
    // writes the step's code joins to its journal row (StepWrites), discarded unless committed
    StepWrites writes = StepWrites.open(claim, gen());
    try {
      return attempt(kind, writes, rec, key, name, count, attempt, failures, lostAttempt, config,
          type, callable);
    } finally {
      writes.close();
    }
  }

  private <T> T attempt(StepKind kind, StepWrites writes, StepRecord rec, String key, String name,
      int count, int attempt, int failures, boolean lostAttempt, StepConfig config,
      TypeRef<T> type, Callable<T> callable) {
    long start = engine.now();
    int seq = rec != null ? rec.seq() : nextSeq.getAndIncrement();
    String stepName = name + "-" + count;
    if (attempt == 1) {
      engine.emit(kind.start, def.name(), instance.instanceId(), stepName, 0, null, null);
    }
    engine.emit(kind.attemptStart, def.name(), instance.instanceId(), stepName, attempt, null, null);
    StepRecord running = new StepRecord(key, seq, kind.kind, name, count, StepState.RUNNING,
        StepConfigCodec.write(config), null, null, null, null, attempt, failures, 
        rec != null ? rec.startedAt() : start, null, null, null, null);
    InflightRecorder recorder = new InflightRecorder(running, start, rec == null, lostAttempt);
    Watchdog watchdog = new Watchdog(Thread.currentThread());
    AttemptMonitor.Watch watch = engine.monitor().watch(
        engine.config().recordAttemptStartAfter().toMillis(), config.timeout().toMillis(),
        recorder, watchdog);
    if (recovering) {
      recorder.run(); // durable before the step runs: see the field
    }
    StepContext previous = StepContext.bind(new StepContext(name, count, attempt, config));
    T value = null;
    Throwable error = null;
    var mock = kind == StepKind.DO
        ? engine.hooks().step(def.name(), instance.instanceId(), name, count, attempt)
        : engine.hooks().rollback(def.name(), instance.instanceId(), name, count, attempt);
    enterStep();
    try {
      if (mock.isPresent()) {
        if (mock.get().timeout()) {
          watchdog.run();
        } else if (mock.get().error() != null) {
          throw mock.get().error();
        } else {
          @SuppressWarnings("unchecked")
          T mocked = (T) mock.get().value();
          value = mocked;
        }
      } else {
        value = callable.call();
      }
    } catch (Signals.Suspend | Signals.Abandon | Signals.Fatal s) {
      error = new IllegalStateException("workflow step methods cannot be called inside a step");
    } catch (Throwable t) {
      error = t;
    } finally {
      writes.stopCollecting();
      leaveStep();
      StepContext.bind(previous);
      engine.monitor().unwatch(watch);
    }
    boolean timedOut = !watchdog.finish();
    if (timedOut) {
      Thread.interrupted();
      error = new StepTimeoutException("step '" + stepName + "' attempt " + attempt
          + " timed out after " + config.timeout().toMillis() + " ms");
    }
    if (abandoned) {
      Thread.interrupted();
      throw new Signals.Abandon("instance was terminated or restarted");
    }
    if (error instanceof RunElsewhere elsewhere && !timedOut) {
      // not this attempt's failure: the instance moves to that server, and a start recorded
      // meanwhile is taken back (left, it would count as a lost attempt there)
      boolean recorded = recorder.finish();
      Thread.interrupted();
      if (recorded) {
        journal(new ArrayList<>(List.of(
            WorkflowStore.deleteAttemptStmt(claim, gen(), key, attempt),
            rec == null ? WorkflowStore.deleteStepStmt(claim, gen(), key)
                : WorkflowStore.updateStepStmt(claim, gen(), rec))));
      }
      throw elsewhere;
    }
    if (error != null && !timedOut && EnvironmentFailure.is(error)) {
      throw lostToEnvironment(recorder, stepName, attempt, error);
    }
    boolean startWritten = recorder.finish();
    boolean insert = rec == null && !startWritten;
    long end = engine.now();
    String json = null;
    if (error == null) {
      try {
        json = engine.json().write(value);
      } catch (RuntimeException e) {
        throw new Signals.Fatal("SerializationError", "the result of step '" + stepName
            + "' cannot be stored as JSON: " + e.getMessage());
      }
      try {
        Limits.checkSize(json, "the result of step '" + stepName + "'");
      } catch (WorkflowException e) {
        // the step fails, not the instance: run may catch it (see StepResultTooLargeException)
        error = new StepResultTooLargeException(e.getMessage());
      }
    }
    if (error == null) {
      StepRecord done = new StepRecord(key, seq, kind.kind, name, count, StepState.SUCCEEDED,
          running.config(), json, Json.typeName(value), null, null, attempt, failures,
          running.startedAt(), end, null, null, null);
      AttemptRecord a = new AttemptRecord(attempt, start, end, true, null, null);
      List<Stmt> stmts = endOfAttempt(key, attempt, start, lostAttempt, insert, startWritten, done, a);
      int own = stmts.size();
      stmts.addAll(writes.statements());
      journal(stmts, own);
      writes.committed();
      if (rec == null && kind == StepKind.DO) {
        doSteps.incrementAndGet();
      }
      journal.put(key, done);
      engine.emit(kind.attemptSuccess, def.name(), instance.instanceId(), stepName, attempt, null, null);
      engine.emit(kind.success, def.name(), instance.instanceId(), stepName, 0, null, null);
      return value;
    }
    String errorName = errorName(error);
    String message = Limits.errorMessage(String.valueOf(error.getMessage()));
    int failed = failures + 1;
    boolean nonRetryable = error instanceof NonRetryableError;
    boolean last = nonRetryable || error instanceof StepResultTooLargeException
        || failed >= config.maxAttempts();
    AttemptRecord a = new AttemptRecord(attempt, start, end, false, errorName, message);
    long delay = 0;
    if (!last && !engine.hooks().skipRetryDelay(def.name(), instance.instanceId())) {
      try {
        delay = RetryDelays.millis(config, stepName, failed, error);
      } catch (RetryDelays.Failure f) {
        // the step's own delay function is broken: no retry; the attempt keeps its error
        last = true;
        errorName = RetryDelays.RETRY_DELAY_ERROR;
        message = Limits.errorMessage(f.getMessage());
        error = f.getCause() != null ? f.getCause() : error;
      }
    }
    Long due = last ? null : end + delay;
    StepRecord after = new StepRecord(key, seq, kind.kind, name, count,
        last ? StepState.FAILED : StepState.RETRYING, running.config(), null,
        last ? StepErrors.recordedType(error, nonRetryable) : null, errorName, message, attempt,
        failed, running.startedAt(), last ? end : null, due, null, null);
    journal(endOfAttempt(key, attempt, start, lostAttempt, insert, startWritten, after, a));
    if (rec == null && kind == StepKind.DO) {
      doSteps.incrementAndGet();
    }
    journal.put(key, after);
    engine.emit(kind.attemptFailure, def.name(), instance.instanceId(), stepName, attempt,
        errorName, message);
    if (!last) {
      throw new Signals.Suspend(due, false);
    }
    engine.emit(kind.failure, def.name(), instance.instanceId(), stepName, 0, errorName, message);
    if (nonRetryable) {
      throw (NonRetryableError) error;
    }
    throw new StepFailedException(stepName, errorName, message, error);
  }

  /**
   * The statements that record the end of an attempt: the step row (new, or updated when it was
   * recorded before) and the attempt row (new, or finished when its start was recorded).
   */
  private List<Stmt> endOfAttempt(String key, int attempt, long start, boolean lostAttempt,
      boolean insert, boolean startWritten, StepRecord step, AttemptRecord a) {
    List<Stmt> stmts = new ArrayList<>(3);
    if (lostAttempt) {
      stmts.add(WorkflowStore.markLostAttemptsStmt(claim, gen(), key, attempt, start));
    }
    if (insert) {
      stmts.addAll(Arrays.asList(WorkflowStore.insertStepWithAttemptStmts(claim, gen(), step,
          a)));
    } else {
      stmts.add(WorkflowStore.updateStepStmt(claim, gen(), step));
      stmts.add(startWritten ? WorkflowStore.finishAttemptStmt(claim, gen(), key, a)
          : WorkflowStore.insertAttemptStmt(claim, gen(), key, a));
    }
    return stmts;
  }

  /**
   * A step whose attempts were lost {@code steadfast.workflow.max-lost-attempts} times (each time
   * its server stopped before the attempt ended) fails for good: a step that kills the JVM must
   * not take down every server, restart after restart.
   */
  private StepFailedException attemptsLost(StepRecord rec, String key, String name, int count) {
    String stepName = name + "-" + count;
    int lost = rec.attempts() - rec.failures();
    String message = "step '" + stepName + "' was lost " + lost + " times: the server running it"
        + " stopped (crashed, was killed, halted or ran out of memory) or could not record its"
        + " end before the attempt ended; it is not tried again"
        + " (steadfast.workflow.max-lost-attempts = " + engine.config().maxLostAttempts() + ")";
    long now = engine.now();
    StepRecord failed = new StepRecord(key, rec.seq(), rec.kind(), name, count, StepState.FAILED,
        rec.config(), null, null, ATTEMPTS_LOST, message, rec.attempts(), rec.failures(),
        rec.startedAt(), now, null, null, null);
    journal(new ArrayList<>(List.of(
        WorkflowStore.markLostAttemptsStmt(claim, gen(), key, 0, now),
        WorkflowStore.updateStepStmt(claim, gen(), failed))));
    journal.put(key, failed);
    engine.emit(StepKind.ROLLBACK.kind.equals(rec.kind()) ? EngineEvent.Type.ROLLBACK_FAILURE
        : EngineEvent.Type.STEP_FAILURE, def.name(), instance.instanceId(), stepName, 0,
        ATTEMPTS_LOST, message);
    return new StepFailedException(stepName, ATTEMPTS_LOST, message, null);
  }

  /**
   * The step's code failed with an error of the JVM or the deployment, not of the step: the
   * attempt is recorded as started and left open, so the next turn (run later, see {@link
   * Outcome.Kind#RETRY}) counts it as lost, as if the server had stopped. A step that always
   * runs out of memory thus ends as {@link #ATTEMPTS_LOST} instead of looping.
   */
  private Signals.Retry lostToEnvironment(InflightRecorder recorder, String stepName,
      int attempt, Throwable error) {
    recorder.run();
    boolean recorded = recorder.finish();
    LOG.log(Level.WARNING, "attempt " + attempt + " of step '" + stepName + "' of instance "
        + instance.instanceId() + " failed with " + error + "; counted as a lost attempt, the"
        + " turn runs again later", error);
    if (!recorded) {
      Thread.interrupted();
      return new Signals.Retry(errorName(error), "could not record the lost attempt of step '"
          + stepName + "'");
    }
    return new Signals.Retry(errorName(error),
        Limits.errorMessage(String.valueOf(error.getMessage())));
  }

  /** The error a failed step throws on replay: see {@link StepErrors}. */
  private RuntimeException replayError(StepRecord rec) {
    return StepErrors.replay(rec, def.workflowClass().getClassLoader());
  }

  @SuppressWarnings("unchecked")
  private <T> T decode(StepRecord rec, TypeRef<T> type) {
    Type t = type != null ? type.type()
        : engine.json().resolve(rec.resultType(), def.workflowClass().getClassLoader());
    try {
      return (T) engine.json().read(rec.result(), t);
    } catch (RuntimeException e) {
      throw new Signals.Fatal("SerializationError", "the recorded result of step '" + rec.name()
          + "-" + rec.occurrence() + "' cannot be read as " + t.getTypeName() + ": "
          + e.getMessage());
    }
  }

  // ------------------------------------------------------------------ sleep

  @Override
  public void sleep(String name, Duration duration) {
    if (duration == null || duration.isNegative()) {
      throw new WorkflowException(WorkflowException.Reason.INVALID,
          "sleep '" + name + "' needs a duration of 0 or more, got " + duration);
    }
    if (duration.compareTo(Limits.MAX_SLEEP) > 0) {
      throw new WorkflowException(WorkflowException.Reason.INVALID,
          "sleep '" + name + "' is longer than the limit of 365 days");
    }
    sleepTo(name, duration, null);
  }

  @Override
  public void sleepUntil(String name, Instant instant) {
    if (instant == null) {
      throw new WorkflowException(WorkflowException.Reason.INVALID,
          "sleepUntil '" + name + "' needs an instant");
    }
    sleepTo(name, null, instant);
  }

  private void sleepTo(String name, Duration duration, Instant until) {
    Limits.checkStepName(name);
    checkpoint();
    int count = nextCount("sleep", name);
    String key = "sleep:" + name + "-" + count;
    StepRecord rec = journal.get(key);
    long now = engine.now();
    String stepName = name + "-" + count;
    if (rollingBack && (rec == null || !StepState.SLEPT.equals(rec.state()))) {
      throw new Signals.Halt();
    }
    if (rec == null) {
      long due = until != null ? until.toEpochMilli() : now + duration.toMillis();
      if (engine.hooks().skipSleep(def.name(), instance.instanceId(), name)) {
        due = now;
      }
      if (until != null && due - now > Limits.MAX_SLEEP.toMillis()) {
        throw new WorkflowException(WorkflowException.Reason.INVALID,
            "sleepUntil '" + name + "' is more than 365 days away");
      }
      StepRecord r = new StepRecord(key, nextSeq.getAndIncrement(), "sleep", name, count,
          StepState.SLEEPING, null, null, null, null, null, 0, 0, now, null, due, null, null);
      // written with the turn's next write, the release of a sleeping instance mostly: one
      // commit; kept when that release is refused, so the sleep keeps the time it began
      deferKept(WorkflowStore.insertStepStmt(claim, gen(), r));
      journal.put(key, r);
      engine.emit(EngineEvent.Type.SLEEP_START, def.name(), instance.instanceId(), stepName, 0, null, null);
      rec = r;
    }
    if (StepState.SLEPT.equals(rec.state())) {
      return;
    }
    if (!StepState.SLEEPING.equals(rec.state())) {
      throw new Signals.Fatal("JournalError", "step '" + stepName + "' is recorded as "
          + rec.state() + ", not as a sleep");
    }
    if (rec.dueAt() > now) {
      throw new Signals.Suspend(rec.dueAt(), false);
    }
    StepRecord slept = new StepRecord(key, rec.seq(), "sleep", name, count, StepState.SLEPT, null,
        null, null, null, null, 0, 0, rec.startedAt(), Math.max(now, rec.dueAt()), rec.dueAt(),
        null, null);
    // the end of a sleep goes with the turn's next write (a step's, the end of the turn): one
    // commit per wake-up. Should the turn end without one (abandoned, refused), the next turn
    // finds the sleep due and ends it again, as it would have.
    defer(WorkflowStore.updateStepStmt(claim, gen(), slept));
    journal.put(key, slept);
    engine.emit(EngineEvent.Type.SLEEP_COMPLETE, def.name(), instance.instanceId(), stepName, 0, null, null);
  }

  // ------------------------------------------------------------------ waitForEvent

  @Override
  @SuppressWarnings("unchecked")
  public <T> ReceivedEvent<T> waitForEvent(String name, String type, Duration timeout,
      TypeRef<T> payloadType) {
    Limits.checkStepName(name);
    Limits.checkEventType(type);
    Duration t = timeout == null ? Limits.DEFAULT_WAIT : timeout;
    if (t.compareTo(Limits.MIN_WAIT) < 0 || t.compareTo(Limits.MAX_WAIT) > 0) {
      throw new WorkflowException(WorkflowException.Reason.INVALID, "waitForEvent '" + name
          + "' timeout must be between 1 second and 365 days, got " + t);
    }
    checkpoint();
    int count = nextCount("waitForEvent", name);
    String key = "waitForEvent:" + name + "-" + count;
    String stepName = name + "-" + count;
    StepRecord rec = journal.get(key);
    Type target = payloadType == null ? Object.class : payloadType.type();
    if (rec != null && StepState.RECEIVED.equals(rec.state())) {
      return received(rec, target);
    }
    if (rec != null && StepState.TIMED_OUT.equals(rec.state())) {
      throw new EventTimeoutException(rec.errorMessage());
    }
    if (rollingBack) {
      throw new Signals.Halt();
    }
    long now = engine.now();
    int seq = rec != null ? rec.seq() : nextSeq.getAndIncrement();
    long startedAt = rec != null ? rec.startedAt() : now;
    long due = rec != null ? rec.dueAt() : now + t.toMillis();
    boolean exists = rec != null;
    var mocked = engine.hooks().event(def.name(), instance.instanceId(), name, type);
    if (engine.hooks().forceEventTimeout(def.name(), instance.instanceId(), name)) {
      due = now;
    }
    long dueAt = due;
    if (mocked.isEmpty() && now < dueAt && !pendingEvent(type, dueAt)) {
      // nothing to take: the wait is recorded with the turn's next write (first time: the
      // release that makes the instance wait, one commit for both) or not written at all
      // (again). An event sent from here on bumps the instance's signals, so that release is
      // refused and the instance runs again at once to take it; the wait's record is written
      // then all the same (settleConflict), so it keeps the time it began.
      if (!exists) {
        StepRecord w = new StepRecord(key, seq, "waitForEvent", name, count, StepState.WAITING,
            null, null, null, null, null, 0, 0, startedAt, null, dueAt, type, null);
        deferKept(WorkflowStore.insertStepStmt(claim, gen(), w));
        journal.put(key, w);
      }
      throw new Signals.Suspend(dueAt, false);
    }
    StepRecord[] got = new StepRecord[1];
    // what the turn deferred (a sleep just begun or ended) goes first, in this transaction
    List<Stmt> before = takeDeferred();
    write(em -> {
      if (!engine.store().fence(em, claim)) {
        throw new Signals.Abandon("the claim on instance " + instance.instanceId()
            + " was lost (taken over, terminated or restarted)");
      }
      engine.store().execute(em, before);
      Object[] event = mocked.isPresent()
          ? new Object[] {engine.json().write(mocked.get().orElse(null)), now}
          : engine.store().consumeEvent(em, uid(), type, gen(), key, dueAt);
      if (event != null) {
        got[0] = new StepRecord(key, seq, "waitForEvent", name, count, StepState.RECEIVED, null,
            (String) event[0], null, null, null, 0, 0, startedAt, now, dueAt, type, (Long) event[1]);
      } else if (now >= dueAt) {
        got[0] = new StepRecord(key, seq, "waitForEvent", name, count, StepState.TIMED_OUT, null,
            null, null, "TimeoutError", "waitForEvent '" + stepName + "' for event type '" + type
                + "' timed out after " + (dueAt - startedAt) + " ms", 0, 0, startedAt, now, dueAt,
            type, null);
      } else if (!exists) {
        got[0] = new StepRecord(key, seq, "waitForEvent", name, count, StepState.WAITING, null,
            null, null, null, null, 0, 0, startedAt, null, dueAt, type, null);
      } else {
        return;
      }
      if (exists) {
        engine.store().updateStep(em, uid(), gen(), got[0]);
      } else {
        engine.store().insertStep(em, uid(), gen(), got[0]);
      }
    });
    StepRecord r = got[0] != null ? got[0] : rec;
    journal.put(key, r);
    switch (r.state()) {
      case StepState.RECEIVED:
        return received(r, target);
      case StepState.TIMED_OUT:
        throw new EventTimeoutException(r.errorMessage());
      default:
        throw new Signals.Suspend(r.dueAt(), false);
    }
  }

  /** Whether an event this wait would take is buffered (a read of committed rows). */
  private boolean pendingEvent(String type, long sentBy) {
    try {
      return engine.reads().hasPendingEvent(uid(), type, sentBy);
    } catch (RuntimeException e) {
      throw failedWrite(e); // as if the wait's write had failed: the turn ends, runs again
    }
  }

  @SuppressWarnings("unchecked")
  private <T> ReceivedEvent<T> received(StepRecord rec, Type target) {
    T payload;
    try {
      payload = (T) engine.json().read(rec.result(), target);
    } catch (RuntimeException e) {
      throw new Signals.Fatal("SerializationError", "the payload of event '" + rec.eventType()
          + "' cannot be read as " + target.getTypeName() + ": " + e.getMessage());
    }
    return new ReceivedEvent<>(rec.eventType(), payload, Instant.ofEpochMilli(rec.eventAt()));
  }

  // ------------------------------------------------------------------ race, any

  @Override
  public <T> T race(String name, TypeRef<T> type, List<Callable<T>> branches) {
    return Races.run(this, name, type, branches, false);
  }

  @Override
  public <T> T any(String name, TypeRef<T> type, List<Callable<T>> branches) {
    return Races.run(this, name, type, branches, true);
  }

  // hooks for Races

  StepRecord recorded(String key) {
    return journal.get(key);
  }

  long now() {
    return engine.now();
  }

  int newSeq() {
    return nextSeq.getAndIncrement();
  }

  java.util.concurrent.ExecutorService branchPool() {
    return engine.branchExecutor();
  }

  ClassLoader workflowClassLoader() {
    return def.workflowClass().getClassLoader();
  }

  /** Runs branch code on a pool thread with the workflow's class loader. */
  <T> T inBranch(Callable<T> branch) throws Exception {
    Thread me = Thread.currentThread();
    ClassLoader previous = me.getContextClassLoader();
    me.setContextClassLoader(def.workflowClass().getClassLoader());
    try {
      return branch.call();
    } finally {
      me.setContextClassLoader(previous);
      Thread.interrupted();
    }
  }

  /** A value recorded as a step result: JSON of at most 1 MiB, else the instance fails. */
  String resultJson(Object value, String stepName) {
    try {
      String json = engine.json().write(value);
      Limits.checkSize(json, "the result of '" + stepName + "'");
      return json;
    } catch (WorkflowException e) {
      throw new Signals.Fatal("StepResultTooLarge", e.getMessage());
    } catch (RuntimeException e) {
      throw new Signals.Fatal("SerializationError", "the result of '" + stepName
          + "' cannot be stored as JSON: " + e.getMessage());
    }
  }

  /** Journals a new step row (durable when this returns). */
  void recordStep(StepRecord r) {
    journal(new ArrayList<>(List.of(WorkflowStore.insertStepStmt(claim, gen(), r))));
    journal.put(r.key(), r);
  }

  // ------------------------------------------------------------------ all

  @Override
  public <T> List<T> all(List<Callable<T>> branches) {
    checkpoint();
    List<Future<T>> futures = new ArrayList<>();
    for (Callable<T> b : branches) {
      futures.add(engine.branchExecutor().submit(() -> inBranch(b)));
    }
    List<T> results = new ArrayList<>();
    Throwable failure = null;
    Signals.Suspend suspend = null;
    for (Future<T> f : futures) {
      try {
        results.add(f.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        futures.forEach(x -> x.cancel(true));
        throw new Signals.Abandon("interrupted while joining steps");
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        results.add(null);
        if (c instanceof Signals.Abandon || c instanceof Signals.Fatal
            || c instanceof Signals.Halt || c instanceof RunElsewhere) {
          failure = precedence(failure, c);
        } else if (c instanceof Signals.Suspend s) {
          if (suspend == null || s.pause || (!suspend.pause && s.dueAt < suspend.dueAt)) {
            suspend = s;
          }
        } else if (failure == null) {
          failure = c;
        }
      }
    }
    if (failure instanceof Error err) {
      throw err;
    }
    if (failure instanceof RuntimeException re) {
      throw re;
    }
    if (failure != null) {
      throw new StepFailedException("all", failure.getClass().getSimpleName(),
          failure.getMessage(), failure);
    }
    if (suspend != null) {
      throw suspend;
    }
    return results;
  }

  private static Throwable precedence(Throwable current, Throwable next) {
    if (current instanceof Signals.Abandon) {
      return current;
    }
    if (next instanceof Signals.Abandon || !(current instanceof Signals.Fatal)) {
      return next;
    }
    return current;
  }

  // ------------------------------------------------------------------ helpers

  void checkpoint() {
    Races.checkNotLost();
    if (abandoned) {
      throw new Signals.Abandon("instance was terminated or restarted");
    }
    if (leaseLapsed()) {
      // another server may own the instance by now: run nothing more (the writes are fenced
      // anyway, but a step's side effects are not)
      abandoned = true;
      throw new Signals.Abandon("the lease on instance " + instance.instanceId()
          + " was not renewed in time");
    }
    if (pauseRequested && !rollingBack) {
      throw new Signals.Suspend(0, true);
    }
  }

  int nextCount(String kind, String name) {
    synchronized (counters) {
      return counters.merge(kind + ":" + name, 1, Integer::sum);
    }
  }

  /**
   * Journal statements of this turn, after what it deferred ({@link #defer}), group-committed
   * with other turns' writes. Returns once they are durable. A failure, or a statement refused
   * by its claim condition (another server took the instance over, or it was restarted,
   * terminated or deleted meanwhile), abandons the turn: no further step runs.
   */
  private void journal(List<Stmt> stmts) {
    journal(stmts, stmts.size());
  }

  /**
   * As {@link #journal(List)}; only the first {@code own} statements are the turn's own rows,
   * whose update counts tell whether the claim held. The rest (a step's {@link StepWrites}) are
   * fenced by the same condition in the same transaction and may legitimately change no row.
   */
  private void journal(List<Stmt> turnStmts, int turnOwn) {
    List<Stmt> stmts = takeDeferred();
    // the deferred statements are the turn's own rows too: first, fenced like the rest
    int own = turnOwn + stmts.size();
    stmts.addAll(turnStmts);
    int[] counts;
    try {
      // all or nothing: committed only if the claim held for every statement (H2 does not lock
      // the claim row for the check, so it can change between two statements of one write)
      counts = engine.journal().write(uid(), c -> claimHeld(stmts, own, c),
          stmts.toArray(Stmt[]::new));
    } catch (RuntimeException e) {
      throw failedWrite(e);
    }
    if (!claimHeld(stmts, own, counts)) {
      abandoned = true;
      throw new Signals.Abandon("a journal write of instance " + instance.instanceId()
          + " was refused: the claim is gone (taken over, restarted, terminated or deleted)");
    }
  }

  /**
   * Whether the claim held for the write: every one of its first {@code own} statements (the
   * turn's own rows) but the lost-attempt marking wrote exactly one row.
   */
  private static boolean claimHeld(List<Stmt> stmts, int own, int[] counts) {
    for (int i = 0; i < own; i++) {
      if (counts[i] == 0 && !stmts.get(i).sql().contains("'AttemptLost'")) {
        return false;
      }
    }
    return true;
  }

  /**
   * Holds {@code stmt} for the turn's next journal write, or the write that ends the turn: a
   * statement that may also be lost without harm (the next turn writes it again).
   */
  private void defer(Stmt stmt) {
    synchronized (deferred) {
      deferred.add(stmt);
    }
  }

  /**
   * As {@link #defer}, for a statement whose time counts (the first record of a sleep or a wait:
   * when it began): when the closing write that holds it is refused because the instance changed
   * meanwhile (an event, a control request), it is written all the same, see {@link
   * #keptOfRefusedClose}.
   */
  private void deferKept(Stmt stmt) {
    synchronized (deferred) {
      deferred.add(stmt);
      deferredKept.add(stmt);
    }
  }

  private List<Stmt> takeDeferred() {
    synchronized (deferred) {
      List<Stmt> out = new ArrayList<>(deferred.size() + 2);
      out.addAll(deferred);
      deferred.clear();
      deferredKept.clear();
      return out;
    }
  }

  /**
   * The statements of {@link #deferKept} that the turn's refused closing write held (empty when
   * it had none or was not refused), once: the caller writes them with its settlement, in its
   * transaction fenced by the claim.
   */
  List<Stmt> keptOfRefusedClose() {
    List<Stmt> out = refusedKept;
    refusedKept = List.of();
    return out;
  }

  /**
   * The write that ends the turn with {@code last} (a statement fenced by the claim whose count is
   * 1 if it was written): what the turn deferred goes first, and then all of it is committed only
   * if every statement wrote its row. Its result: whether {@code last} was written.
   */
  JournalWriter.Write<Boolean> closingWrite(Stmt last) {
    List<Stmt> stmts;
    List<Stmt> kept;
    synchronized (deferred) {
      kept = List.copyOf(deferredKept);
      stmts = takeDeferred();
    }
    refusedKept = List.of();
    if (stmts.isEmpty()) {
      return new JournalWriter.Write<>(uid(), counts -> counts[0] == 1, last);
    }
    stmts.add(last);
    java.util.function.Predicate<int[]> allWritten = counts -> Arrays.stream(counts)
        .allMatch(c -> c == 1);
    return new JournalWriter.Write<>(uid(), allWritten, counts -> {
      boolean written = allWritten.test(counts);
      if (!written) {
        refusedKept = kept;
      }
      return written;
    }, stmts.toArray(Stmt[]::new));
  }

  /** One journal transaction; a conflict means another server took the instance over. */
  private void write(Consumer<EntityManager> work) {
    try {
      engine.tx().inTransaction(em -> {
        work.accept(em);
        return null;
      });
    } catch (Signals.Abandon a) {
      abandoned = true;
      throw a;
    } catch (RuntimeException e) {
      throw failedWrite(e);
    }
  }

  /**
   * A journal write failed: the turn ends here, unless the database refused the values themselves
   * (a data exception: too long, out of range, not encodable): such a write would fail again on
   * every retry, so the instance fails instead. Otherwise the claim stays this server's, so the
   * dispatcher runs the instance again: at once when the database is back after an outage, after
   * a back-off for any other failure.
   */
  private Error failedWrite(RuntimeException e) {
    if (abandoned) {
      return new Signals.Abandon("instance was terminated or restarted");
    }
    String refused = EnvironmentFailure.dataException(e);
    if (refused != null) {
      LOG.log(Level.WARNING, "the database refused a journal write of instance "
          + instance.instanceId() + "; the instance fails", e);
      return new Signals.Fatal(JOURNAL_WRITE_REJECTED, Limits.errorMessage(
          "the database refused to record the progress of the instance: " + refused));
    }
    abandoned = true;
    engine.turnWriteFailed(this, e);
    return new Signals.Abandon("journal write failed: " + e.getMessage());
  }

  /** Records the start of an attempt that runs longer than the threshold, once. */
  private final class InflightRecorder implements Runnable {
    private final StepRecord running;
    private final long start;
    private final boolean newStep;
    private final boolean lostAttempt;
    private boolean done;
    private boolean written;

    InflightRecorder(StepRecord running, long start, boolean newStep, boolean lostAttempt) {
      this.running = running;
      this.start = start;
      this.newStep = newStep;
      this.lostAttempt = lostAttempt;
    }

    @Override
    public synchronized void run() {
      if (done || written || abandoned) {
        return;
      }
      List<Stmt> stmts = new ArrayList<>(4);
      if (lostAttempt) {
        stmts.add(WorkflowStore.markLostAttemptsStmt(claim, gen(), running.key(),
            running.attempts(), start));
      }
      stmts.add(newStep ? WorkflowStore.insertStepStmt(claim, gen(), running)
          : WorkflowStore.updateStepStmt(claim, gen(), running));
      stmts.add(WorkflowStore.insertAttemptStmt(claim, gen(), running.key(),
          new AttemptRecord(running.attempts(), start, null, null, null, null)));
      try {
        journal(stmts);
        written = true;
      } catch (Signals.Abandon | Signals.Fatal e) {
        LOG.log(Level.FINE, "could not record the start of an attempt", e);
      }
    }

    /** Called once the attempt ended; returns whether its start row exists. */
    synchronized boolean finish() {
      done = true;
      return written;
    }
  }

  /** Interrupts an attempt that outlives its timeout; {@link #finish} tells if it did. */
  private final class Watchdog implements Runnable {
    private final Thread thread;
    private final AtomicInteger state = new AtomicInteger(); // 0 running, 1 done, 2 timed out

    Watchdog(Thread thread) {
      this.thread = thread;
    }

    @Override
    public void run() {
      if (state.compareAndSet(0, 2)) {
        interruptInStep(thread);
      }
    }

    /** Returns false if the attempt had timed out before it ended. */
    boolean finish() {
      return state.compareAndSet(0, 1) || state.get() == 1;
    }
  }
}
