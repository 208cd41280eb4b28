package dev.steadfast.server;

import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.NoSuchObjectLocalException;
import jakarta.ejb.Singleton;
import jakarta.ejb.Timeout;
import jakarta.ejb.Timer;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The engine's wake-up: one programmatic, non-persistent EJB timer armed at the earliest due time.
 * Non-persistent on purpose: due times live in the engine's tables, and persistent timers do not
 * survive a restart of Payara Micro anyway; the engine re-arms this timer when it starts.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class TimerBean {
  private static final Logger LOG = Logger.getLogger(TimerBean.class.getName());

  @Resource TimerService timerService;

  private Timer pending;
  private long pendingAt = Long.MAX_VALUE;
  private volatile Runnable callback;
  private final AtomicLong fired = new AtomicLong();

  /** Arms the timer at {@code epochMillis} unless it is armed earlier already. */
  public synchronized void arm(long epochMillis, Runnable onFire) {
    this.callback = onFire;
    if (pending != null && pendingAt <= epochMillis) {
      return;
    }
    cancelPending();
    long delay = Math.max(1, epochMillis - System.currentTimeMillis());
    pending = timerService.createSingleActionTimer(delay, new TimerConfig(null, false));
    pendingAt = epochMillis;
  }

  public synchronized void cancel() {
    cancelPending();
    callback = null;
  }

  private void cancelPending() {
    if (pending != null) {
      try {
        pending.cancel();
      } catch (NoSuchObjectLocalException | IllegalStateException e) {
        // it fired or expired meanwhile
      }
      pending = null;
    }
    pendingAt = Long.MAX_VALUE;
  }

  /** How many times the timer has fired since the application started (diagnostics, tests). */
  public long firedCount() {
    return fired.get();
  }

  @Timeout
  void fire(Timer timer) {
    fired.incrementAndGet();
    synchronized (this) {
      if (timer.equals(pending) || pending == null) {
        pending = null;
        pendingAt = Long.MAX_VALUE;
      }
    }
    Runnable r = callback;
    if (r != null) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "workflow wake-up failed", e);
      }
    }
  }
}
