package dev.steadfast.agent.runtime;

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
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agent schedules' wake-up: one non-persistent EJB timer at the earliest due time, separate
 * from the workflow engine's so neither replaces the other's. Non-persistent because due times
 * live in sf_agent_schedule and Payara Micro loses persistent timers on restart anyway.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class AgentTimerBean {
  private static final Logger LOG = Logger.getLogger(AgentTimerBean.class.getName());

  @Resource TimerService timerService;

  private Timer pending;
  private long pendingAt = Long.MAX_VALUE;
  private volatile Runnable callback;

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

  @Timeout
  void fire(Timer timer) {
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
        LOG.log(Level.WARNING, "agent wake-up failed", e);
      }
    }
  }
}
