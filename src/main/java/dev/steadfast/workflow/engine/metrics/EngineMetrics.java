package dev.steadfast.workflow.engine.metrics;

import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.engine.EngineEvent;
import dev.steadfast.workflow.engine.EngineListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The workflow engine's metrics. Counters and histograms count what this server did since it
 * started (from the engine's events and a few hooks in the dispatcher and the journal); what the
 * database knows (instances by status, the due backlog) is read from it at each scrape, so those
 * figures are the same on every server and survive restarts.
 */
public final class EngineMetrics implements EngineListener, Collector {
  /** Attempts started but not ended that are remembered for their duration; a bound, not a goal. */
  private static final int MAX_OPEN_ATTEMPTS = 100_000;

  final Counter stepsStarted = new Counter("steadfast_steps_started_total",
      "Steps (step.run) whose first attempt started on this server.", "workflow");
  final Counter stepsCompleted = new Counter("steadfast_steps_completed_total",
      "Steps that succeeded on this server.", "workflow");
  final Counter stepsFailed = new Counter("steadfast_steps_failed_total",
      "Steps that failed for good (retries exhausted, non-retryable error, attempts lost).",
      "workflow");
  final Counter attemptsStarted = new Counter("steadfast_attempts_started_total",
      "Step attempts started on this server.", "workflow");
  final Counter attemptsFailed = new Counter("steadfast_attempts_failed_total",
      "Step attempts that threw (or timed out).", "workflow");
  final Counter attemptsRetried = new Counter("steadfast_attempts_retried_total",
      "Step attempts after the first (retries).", "workflow");
  final Counter sleepsStarted = new Counter("steadfast_sleeps_started_total",
      "step.sleep and step.sleepUntil calls that started sleeping.", "workflow");
  final Histogram attemptSeconds = new Histogram("steadfast_step_attempt_duration_seconds",
      "How long one attempt of a step's code ran, by outcome (ok, error).", Histogram.SECONDS,
      "workflow", "outcome");
  final Histogram lateness = new Histogram("steadfast_wakeup_lateness_seconds",
      "How long after its due time (a sleep's end, a retry, an event, a new instance) an"
          + " instance was claimed for its next turn.", Histogram.SECONDS);
  final Counter takenOver = new Counter("steadfast_claims_taken_over_total",
      "Claims of instances whose previous turn never ended (its server crashed or stopped).",
      "workflow");
  final Histogram batchWrites = new Histogram("steadfast_journal_batch_writes",
      "Writes (step results, turn ends, new instances) committed together in one journal batch.",
      new double[] {1, 2, 4, 8, 16, 32, 64, 128, 256});
  final Histogram commitSeconds = new Histogram("steadfast_journal_commit_seconds",
      "Time to execute and commit one journal batch.", Histogram.SECONDS);

  private final DataSource dataSource;
  private final LongSupplier now;
  private final Supplier<Collection<String>> workflows;
  private final IntSupplier runningTurns;
  private final Map<String, Long> openAttempts = new ConcurrentHashMap<>();
  private final List<Collector> extra = new CopyOnWriteArrayList<>();

  /**
   * @param dataSource where the gauges read (plain JDBC, autocommit)
   * @param now the engine's clock, in epoch milliseconds
   * @param workflows the names of the deployed workflows (their statuses are written even at 0)
   * @param runningTurns turns running on this server now
   */
  public EngineMetrics(DataSource dataSource, LongSupplier now,
      Supplier<Collection<String>> workflows, IntSupplier runningTurns) {
    this.dataSource = dataSource;
    this.now = now;
    this.workflows = workflows;
    this.runningTurns = runningTurns;
  }

  /** Adds metrics of another part of the server (the agents) to this engine's scrape. */
  public void addCollector(Collector c) {
    extra.add(c);
  }

  public void removeCollector(Collector c) {
    extra.remove(c);
  }

  @Override
  public void onEvent(EngineEvent e) {
    String wf = e.workflow();
    switch (e.type()) {
      case STEP_START -> stepsStarted.inc(wf);
      case STEP_SUCCESS -> stepsCompleted.inc(wf);
      case STEP_FAILURE -> stepsFailed.inc(wf);
      case SLEEP_START -> sleepsStarted.inc(wf);
      case ATTEMPT_START -> {
        attemptsStarted.inc(wf);
        if (e.attempt() > 1) {
          attemptsRetried.inc(wf);
        }
        if (openAttempts.size() < MAX_OPEN_ATTEMPTS) {
          openAttempts.put(attemptKey(e), e.timestamp().toEpochMilli());
        }
      }
      case ATTEMPT_SUCCESS, ATTEMPT_FAILURE -> {
        boolean ok = e.type() == EngineEvent.Type.ATTEMPT_SUCCESS;
        if (!ok) {
          attemptsFailed.inc(wf);
        }
        Long started = openAttempts.remove(attemptKey(e));
        if (started != null) {
          attemptSeconds.observe((e.timestamp().toEpochMilli() - started) / 1000.0, wf,
              ok ? "ok" : "error");
        }
      }
      case WORKFLOW_TERMINATED -> {
        // an attempt cut short by terminate never reports its end
        String prefix = e.instanceId() + '\u0000';
        openAttempts.keySet().removeIf(k -> k.startsWith(prefix));
      }
      default -> { }
    }
  }

  private static String attemptKey(EngineEvent e) {
    return e.instanceId() + '\u0000' + e.step() + '\u0000' + e.attempt();
  }

  /** The dispatcher claimed an instance {@code millis} after it became due. */
  public void wokeUp(long millis) {
    lateness.observe(Math.max(0, millis) / 1000.0);
  }

  /** The dispatcher claimed an instance whose last turn (on any server) never ended. */
  public void claimTakenOver(String workflow) {
    takenOver.inc(workflow);
  }

  /** The journal committed {@code writes} writes together in {@code nanos}. */
  public void journalBatch(int writes, long nanos) {
    batchWrites.observe(writes);
    commitSeconds.observe(nanos / 1e9);
  }

  /** The whole scrape: this engine's metrics, the database's gauges, then the extra collectors. */
  public String scrape() {
    PrometheusText out = new PrometheusText();
    collect(out);
    for (Collector c : extra) {
      c.collect(out);
    }
    return out.toString();
  }

  @Override
  public void collect(PrometheusText out) {
    for (Collector c : List.of(stepsStarted, stepsCompleted, stepsFailed, attemptsStarted,
        attemptsFailed, attemptsRetried, sleepsStarted, attemptSeconds, lateness, takenOver,
        batchWrites, commitSeconds)) {
      c.collect(out);
    }
    out.family("steadfast_turns_running", "gauge", "Workflow turns running on this server now.")
        .sample("steadfast_turns_running", List.of(), List.of(), runningTurns.getAsInt());
    DatabaseGauges.Snapshot db;
    try {
      db = DatabaseGauges.read(dataSource, now.getAsLong());
    } catch (java.sql.SQLException | RuntimeException e) {
      out.family("steadfast_database_up", "gauge", "1 if the metrics could read the database.")
          .sample("steadfast_database_up", List.of(), List.of(), 0);
      return;
    }
    out.family("steadfast_database_up", "gauge", "1 if the metrics could read the database.")
        .sample("steadfast_database_up", List.of(), List.of(), 1);
    List<String> labels = List.of("workflow", "status");
    out.family("steadfast_instances", "gauge",
        "Workflow instances in the database, by workflow and status.");
    List<String> names = new ArrayList<>(workflows.get());
    for (String w : db.counts().keySet()) {
      if (!names.contains(w)) {
        names.add(w);
      }
    }
    names.sort(null);
    for (String w : names) {
      Map<String, Long> byStatus = db.counts().getOrDefault(w, Map.of());
      for (Status s : Status.values()) {
        if (s != Status.UNKNOWN) {
          out.sample("steadfast_instances", labels, List.of(w, s.wireName()),
              byStatus.getOrDefault(s.wireName(), 0L));
        }
      }
    }
    out.family("steadfast_due_backlog", "gauge",
        "Instances due to run now that no server holds (the dispatcher's queue, on all servers).")
        .sample("steadfast_due_backlog", List.of(), List.of(), db.dueBacklog());
    out.family("steadfast_due_backlog_oldest_seconds", "gauge",
        "How long the oldest instance of the due backlog has been due (0 when there is none).")
        .sample("steadfast_due_backlog_oldest_seconds", List.of(), List.of(),
            db.oldestDueMillis() / 1000.0);
  }
}
