package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.store.JournalWriter;
import dev.steadfast.workflow.store.ScheduleStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts an instance of a workflow at every tick of its cron schedules ({@link
 * WorkflowPolicy#schedules()}). The next tick of each schedule is a row ({@code sf_schedule}); a
 * server that finds it due creates the tick's instance and moves the row on to the following
 * tick in one transaction. The instance id is derived from the schedule and the tick ({@code
 * cron-<hash>-<yyyyMMddHHmm>}), so a tick starts one instance across all servers on a database
 * and after any restart: a second server (or a restarted one) that tries the same tick finds the
 * id in use and only moves the row on.
 *
 * <p>Ticks missed while no server ran are not made up one by one: the first of them starts an
 * instance when a server is back, and the schedule goes on from the next tick after now. Each
 * instance gets {@code {"cron": <expression>, "scheduledTime": <ISO-8601>}} as params and
 * {@code cron} as its trigger source.
 */
final class CronScheduler {
  private static final Logger LOG = Logger.getLogger(CronScheduler.class.getName());
  private static final DateTimeFormatter TICK =
      DateTimeFormatter.ofPattern("yyyyMMddHHmm").withZone(ZoneOffset.UTC);

  private final WorkflowEngine engine;
  private final AtomicBoolean checking = new AtomicBoolean();
  private volatile ScheduledFuture<?> task;

  CronScheduler(WorkflowEngine engine) {
    this.engine = engine;
  }

  /**
   * Records the schedules of the workflows deployed here (removing those their configuration no
   * longer has), then checks for due ticks at every poll interval.
   */
  void start() {
    register();
    if (engine.registry().all().stream().allMatch(d -> d.policy().schedules().isEmpty())) {
      return; // nothing scheduled here
    }
    long every = engine.config().pollInterval().toMillis();
    task = engine.scheduler().scheduleWithFixedDelay(this::requestCheck, every, every,
        TimeUnit.MILLISECONDS);
  }

  void stop() {
    ScheduledFuture<?> t = task;
    if (t != null) {
      t.cancel(false);
    }
  }

  private void register() {
    long now = engine.now();
    for (WorkflowDefinition d : engine.registry().all()) {
      List<String> crons = d.policy().schedules();
      try {
        ScheduleStore.removeOthers(engine.tx().dataSource(), d.name(), crons);
        for (String cron : crons) {
          long next = CronExpression.parse(cron).next(Instant.ofEpochMilli(now)).toEpochMilli();
          ScheduleStore.add(engine.tx().dataSource(), d.name(), cron, next, now);
        }
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException("cannot record the schedules of workflow " + d.name()
            + ": " + e.getMessage(), e);
      }
    }
  }

  /** Checks for due ticks off the scheduler thread (creating an instance commits). */
  private void requestCheck() {
    if (!engine.health().isUp() || !checking.compareAndSet(false, true)) {
      return;
    }
    try {
      engine.branchExecutor().execute(() -> {
        try {
          checkNow();
        } catch (java.sql.SQLException | RuntimeException e) {
          if (!engine.health().failed(e)) {
            LOG.log(Level.WARNING, "workflow schedules check failed; retried at the next tick", e);
          }
        } finally {
          checking.set(false);
        }
      });
    } catch (RuntimeException e) {
      checking.set(false); // the executor is shutting down
    }
  }

  /** Starts the instances of the ticks due now; returns how many this server started. */
  int checkNow() throws java.sql.SQLException {
    long now = engine.now();
    int started = 0;
    for (ScheduleStore.Row row : ScheduleStore.due(engine.tx().dataSource(), now)) {
      WorkflowDefinition def = engine.registry().find(row.workflow());
      if (def == null || !def.policy().schedules().contains(row.cron())) {
        continue; // another deployment's schedule: its servers run it
      }
      if (fire(def, row, now)) {
        started++;
      }
    }
    return started;
  }

  private boolean fire(WorkflowDefinition def, ScheduleStore.Row row, long now)
      throws java.sql.SQLException {
    long next = CronExpression.parse(row.cron()).next(Instant.ofEpochMilli(now)).toEpochMilli();
    String id = instanceId(row.cron(), row.nextAt());
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("cron", row.cron());
    params.put("scheduledTime", Instant.ofEpochMilli(row.nextAt()).toString());
    try {
      engine.create(def.name(), id, params, List.of(
          ScheduleStore.advanceStmt(def.name(), row.cron(), row.nextAt(), next),
          new JournalWriter.Stmt("UPDATE sf_instance SET trigger_source = 'cron'"
              + " WHERE workflow_name = ? AND instance_id = ?", def.name(), id)));
      return true;
    } catch (WorkflowException e) {
      if (e.reason() != WorkflowException.Reason.ALREADY_EXISTS) {
        throw e;
      }
      // this tick's instance exists (another server, or this one before a restart, started it)
      ScheduleStore.advance(engine.tx().dataSource(), def.name(), row.cron(), row.nextAt(), next);
      return false;
    }
  }

  /** The id of the instance a tick starts: the same on every server. */
  static String instanceId(String cron, long tickMillis) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256")
          .digest(cron.getBytes(StandardCharsets.UTF_8));
      return "cron-" + HexFormat.of().formatHex(h, 0, 4) + "-"
          + TICK.format(Instant.ofEpochMilli(tickMillis));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
