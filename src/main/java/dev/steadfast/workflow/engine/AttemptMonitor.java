package dev.steadfast.workflow.engine;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches the step attempts in flight: records the start of an attempt that runs long, and
 * interrupts one that outlives its timeout. One periodic check every {@value #TICK_MILLIS} ms
 * while attempts are in flight, rather than a timer scheduled and cancelled per attempt: with
 * steps that take microseconds, those two timers (and the scheduler wake-ups they cause) cost
 * more than the rest of the engine's work on a step.
 */
final class AttemptMonitor {
  private static final Logger LOG = Logger.getLogger(AttemptMonitor.class.getName());

  /** How often attempts are checked: the precision of timeouts and of the start record. */
  static final long TICK_MILLIS = 10;

  private final ScheduledExecutorService scheduler;
  private final Executor recorders;
  private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean ticking = new AtomicBoolean();
  private volatile ScheduledFuture<?> task;

  /**
   * @param scheduler runs the periodic check (it must never block: timers share it)
   * @param recorders runs the start records, which commit to the database
   */
  AttemptMonitor(ScheduledExecutorService scheduler, Executor recorders) {
    this.scheduler = scheduler;
    this.recorders = recorders;
  }

  /** One attempt in flight. */
  static final class Watch {
    private final long recordAt;
    private final long deadline;
    private final Runnable recorder;
    private final Runnable onTimeout;
    private boolean recordFired;
    private boolean timeoutFired;

    private Watch(long recordAt, long deadline, Runnable recorder, Runnable onTimeout) {
      this.recordAt = recordAt;
      this.deadline = deadline;
      this.recorder = recorder;
      this.onTimeout = onTimeout;
    }
  }

  /**
   * Starts watching an attempt: {@code recorder} runs (on the recorders' executor) once it has
   * run for {@code recordAfterMillis}, {@code onTimeout} (on the checking thread; it must not
   * block) once it has run for {@code timeoutMillis}.
   */
  Watch watch(long recordAfterMillis, long timeoutMillis, Runnable recorder, Runnable onTimeout) {
    long now = System.nanoTime();
    Watch w = new Watch(now + nanos(recordAfterMillis), now + nanos(timeoutMillis), recorder,
        onTimeout);
    watches.add(w);
    ensureTicking();
    return w;
  }

  /** Stops watching an attempt that ended. */
  void unwatch(Watch w) {
    watches.remove(w);
  }

  private static long nanos(long millis) {
    return millis >= Long.MAX_VALUE / 4_000_000L ? Long.MAX_VALUE / 4 : millis * 1_000_000L;
  }

  private void ensureTicking() {
    if (ticking.compareAndSet(false, true)) {
      try {
        task = scheduler.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS,
            TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        ticking.set(false); // shutting down
      }
    }
  }

  private void tick() {
    long now = System.nanoTime();
    for (Watch w : watches) {
      try {
        if (!w.recordFired && now - w.recordAt >= 0) {
          w.recordFired = true;
          recorders.execute(w.recorder);
        }
        if (!w.timeoutFired && now - w.deadline >= 0) {
          w.timeoutFired = true;
          w.onTimeout.run();
        }
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "attempt check failed", e);
      }
    }
    if (watches.isEmpty()) {
      // idle: stop until the next attempt; one that was added meanwhile restarts the task
      ScheduledFuture<?> self = task;
      ticking.set(false);
      if (self != null) {
        self.cancel(false);
      }
      if (!watches.isEmpty()) {
        ensureTicking();
      }
    }
  }
}
