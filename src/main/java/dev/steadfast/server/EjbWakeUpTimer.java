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

  /**
   * Cancels the channel's timer. Called as the engine stops: a timer bean the server has
   * destroyed already took its timers with it, and the stop must go on to let go of what the
   * server holds.
   */
  @Override
  public void cancel() {
    try {
      timers.cancel(channel);
    } catch (RuntimeException e) {
      java.util.logging.Logger.getLogger(EjbWakeUpTimer.class.getName()).log(
          java.util.logging.Level.FINE, "the timer bean is gone; nothing to cancel", e);
    }
  }
}
