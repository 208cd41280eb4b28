package dev.steadfast.server;

import dev.steadfast.workflow.engine.WakeUpTimer;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A {@link WakeUpTimer} on one channel of the {@link TimerBean}. Payara delivers an EJB timer no
 * sooner than its minimum delivery interval (1 s by default) after it is created, so wake-ups due
 * sooner than that go to a managed scheduler; everything further out (sleeps and schedules of
 * seconds to months) is an EJB timer.
 */
public final class EjbWakeUpTimer implements WakeUpTimer {
  static final long EJB_TIMER_MIN_DELAY_MS = 1_500;

  private final TimerBean timers;
  private final String channel;
  private final ScheduledExecutorService soon;

  public EjbWakeUpTimer(TimerBean timers, String channel, ScheduledExecutorService soon) {
    this.timers = timers;
    this.channel = channel;
    this.soon = soon;
  }

  @Override
  public void wakeAt(long epochMillis, Runnable callback) {
    long delay = epochMillis - System.currentTimeMillis();
    if (delay < EJB_TIMER_MIN_DELAY_MS) {
      soon.schedule(callback, Math.max(0, delay), TimeUnit.MILLISECONDS);
    } else {
      timers.arm(channel, epochMillis, callback);
    }
  }

  @Override
  public void cancel() {
    timers.cancel(channel);
  }
}
