package dev.steadfast.workflow.engine;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link WakeUpTimer} on a ScheduledExecutorService, keeping one pending wake-up: an earlier
 * request replaces it, a later one is ignored.
 */
public final class ScheduledWakeUpTimer implements WakeUpTimer {
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private ScheduledFuture<?> pending;
  private long pendingAt = Long.MAX_VALUE;

  public ScheduledWakeUpTimer(ScheduledExecutorService scheduler, Clock clock) {
    this.scheduler = scheduler;
    this.clock = clock;
  }

  @Override
  public synchronized void wakeAt(long epochMillis, Runnable callback) {
    if (pending != null && !pending.isDone() && pendingAt <= epochMillis) {
      return;
    }
    if (pending != null) {
      pending.cancel(false);
    }
    pendingAt = epochMillis;
    long delay = Math.max(0, epochMillis - clock.millis());
    pending = scheduler.schedule(() -> {
      synchronized (this) {
        pendingAt = Long.MAX_VALUE;
      }
      callback.run();
    }, delay, TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void cancel() {
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
    pendingAt = Long.MAX_VALUE;
  }
}
