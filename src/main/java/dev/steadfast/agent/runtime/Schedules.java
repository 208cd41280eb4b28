package dev.steadfast.agent.runtime;

import dev.steadfast.agent.Schedule;
import dev.steadfast.agent.store.AgentStore;
import dev.steadfast.agent.store.ScheduleEntity;
import dev.steadfast.workflow.engine.CronExpression;
import dev.steadfast.workflow.engine.WakeUpTimer;
import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Durable schedules. Rows are the source of truth: the single wake-up timer is always re-armed at
 * the earliest due time found in the table, so a restart only needs {@link #poll()}. A run marks
 * its row (running_since) so a recurring schedule never overlaps itself. The server running it
 * renews the mark every {@link #RENEW_MILLIS} for as long as the run lasts, so a mark older than
 * {@link #HANG_MILLIS} means the server that ran it is gone, and only then is the run replaced.
 */
public final class Schedules {
  private static final Logger LOG = Logger.getLogger(Schedules.class.getName());
  static final long HANG_MILLIS = 30_000;
  static final long RENEW_MILLIS = HANG_MILLIS / 3;
  /** Schedule ids whose run is going on in this runtime. */
  private final java.util.Set<String> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
  static final long MAX_INTERVAL_SECONDS = 30L * 24 * 3600;
  private final AgentRuntime runtime;
  private final AgentStore store;
  private final WakeUpTimer timer;
  private final Executor workers;
  private final Clock clock;
  private final Retry retry;

  Schedules(AgentRuntime runtime, WakeUpTimer timer, Executor workers, Retry retry) {
    this.runtime = runtime;
    this.store = runtime.store();
    this.timer = timer;
    this.workers = workers;
    this.clock = runtime.clock();
    this.retry = retry;
  }

  Schedule create(AgentInstance in, long delaySeconds, Instant at, String cron, Long interval,
      String callback, Object payload) {
    if (in.type().callback(callback) == null) {
      throw new IllegalArgumentException("callback " + callback + " is not a method of "
          + in.type().type().getSimpleName());
    }
    long now = clock.millis();
    String payloadJson = runtime.codec().write(payload);
    ScheduleEntity s = new ScheduleEntity();
    if (cron != null) {
      CronExpression expr = CronExpression.parse(cron);
      ScheduleEntity same = store.findSame(in.type().kebab(), in.name(), "cron", callback,
          payloadJson, cron, null);
      if (same != null) {
        return toRecord(runtime, same);
      }
      s.type = "cron";
      s.cron = cron;
      s.dueAt = expr.next(Instant.ofEpochMilli(now)).toEpochMilli();
    } else if (interval != null) {
      if (interval <= 0 || interval > MAX_INTERVAL_SECONDS) {
        throw new IllegalArgumentException("interval must be > 0 and at most 30 days");
      }
      ScheduleEntity same = store.findSame(in.type().kebab(), in.name(), "interval", callback,
          payloadJson, null, interval);
      if (same != null) {
        return toRecord(runtime, same);
      }
      s.type = "interval";
      s.intervalSeconds = interval;
      s.dueAt = now + interval * 1000;
    } else if (at != null) {
      s.type = "scheduled";
      s.dueAt = at.toEpochMilli();
    } else {
      if (delaySeconds < 0) {
        throw new IllegalArgumentException("delay must not be negative");
      }
      s.type = "delayed";
      s.delaySeconds = delaySeconds;
      s.dueAt = now + delaySeconds * 1000;
    }
    s.id = UUID.randomUUID().toString();
    s.agent = in.type().kebab();
    s.name = in.name();
    s.callback = callback;
    s.payload = payloadJson;
    s.createdAt = now;
    store.insert(s);
    timer.wakeAt(s.dueAt, this::poll);
    return toRecord(runtime, s);
  }

  Schedule get(AgentInstance in, String id) {
    ScheduleEntity s = store.schedule(id);
    return s != null && s.agent.equals(in.type().kebab()) && s.name.equals(in.name())
        ? toRecord(runtime, s) : null;
  }

  List<Schedule> list(AgentInstance in, Schedule.Type type, Instant from, Instant to) {
    return store.schedules(in.type().kebab(), in.name()).stream()
        .filter(s -> type == null || s.type.equals(type.name()))
        .filter(s -> from == null || s.dueAt >= from.toEpochMilli())
        .filter(s -> to == null || s.dueAt <= to.toEpochMilli())
        .map(s -> toRecord(runtime, s))
        .toList();
  }

  boolean cancel(AgentInstance in, String id) {
    return store.deleteSchedule(in.type().kebab(), in.name(), id);
  }

  static Schedule toRecord(AgentRuntime rt, ScheduleEntity s) {
    return new Schedule(s.id, s.callback, rt.codec().read(s.payload, Object.class),
        Schedule.Type.valueOf(s.type), s.dueAt / 1000, s.delaySeconds, s.cron, s.intervalSeconds);
  }

  /** Starts every due schedule not already running, then re-arms the timer. */
  public void poll() {
    try {
      long now = clock.millis();
      for (ScheduleEntity s : store.due(now, now - HANG_MILLIS, 200)) {
        if (store.claim(s.id, now, now - HANG_MILLIS)) {
          running.add(s.id);
          workers.execute(() -> run(s));
        }
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "agent schedule poll failed", e);
    } finally {
      arm();
    }
  }

  void arm() {
    try {
      Long next = store.nextWakeUp(HANG_MILLIS);
      if (next != null) {
        timer.wakeAt(next, this::poll);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot re-arm the agent timer", e);
    }
  }

  private void run(ScheduleEntity s) {
    AgentInstance in;
    try {
      in = runtime.instance(s.agent, s.name);
    } catch (AgentElsewhereException e) {
      // the server holding the instance runs it: give the claim back, untouched
      running.remove(s.id);
      try {
        store.reschedule(s.id, s.dueAt);
      } catch (RuntimeException again) {
        LOG.log(Level.WARNING, "cannot hand schedule " + s.id + " back", again);
      }
      return;
    } catch (RuntimeException | Error e) {
      LOG.log(Level.WARNING, "schedule " + s.id + " (" + s.agent + "/" + s.name + "."
          + s.callback + ") failed", e);
      finish(s);
      return;
    }
    try {
      in.busy(); // a run (retries, awaited results) keeps the instance in memory
      try {
        Method m = in.type().callback(s.callback);
        if (m == null) {
          throw new IllegalStateException("no callback " + s.callback + " on " + s.agent);
        }
        Schedule info = toRecord(runtime, s);
        try {
          retry.run(() -> Invoker.await(in.exclusive(
              () -> Invoker.callback(runtime.codec(), m, in.agent(), s.payload, info))));
        } catch (RuntimeException | Error e) {
          in.exclusive(() -> in.reportError(null, e));
        }
      } finally {
        in.done();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "schedule " + s.id + " (" + s.agent + "/" + s.name + "."
          + s.callback + ") failed", e);
    } finally {
      finish(s);
    }
  }

  /** Renews the marks of this runtime's runs (on a worker: it is a database write). */
  void renew() {
    try {
      store.renewRunning(List.copyOf(running), clock.millis());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot renew the marks of running agent schedules", e);
    }
  }

  private void finish(ScheduleEntity s) {
    running.remove(s.id);
    try {
      long now = clock.millis();
      switch (s.type) {
        case "cron" -> store.reschedule(s.id,
            CronExpression.parse(s.cron).next(Instant.ofEpochMilli(now)).toEpochMilli());
        case "interval" -> store.reschedule(s.id, now + s.intervalSeconds * 1000);
        default -> store.deleteSchedule(s.id); // one-shot: gone whatever the outcome
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot finish schedule " + s.id, e);
    }
    arm();
  }
}
