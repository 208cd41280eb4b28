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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The wake-ups of the workflow engine and of agent schedules: per channel, one programmatic,
 * non-persistent EJB timer armed at the earliest due time. Non-persistent on purpose: due times
 * live in the tables, and persistent timers do not survive a restart of Payara Micro anyway;
 * every channel's owner re-arms its timer when it starts.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class TimerBean {
  private static final Logger LOG = Logger.getLogger(TimerBean.class.getName());

  @Resource TimerService timerService;

  private final Map<String, Channel> channels = new ConcurrentHashMap<>();
  private final AtomicLong fired = new AtomicLong();

  /** One channel's pending timer; guarded by itself. */
  private static final class Channel {
    Timer pending;
    long pendingAt = Long.MAX_VALUE;
    volatile Runnable callback;
  }

  /** Arms {@code channel}'s timer at {@code epochMillis} unless it is armed earlier already. */
  public void arm(String channel, long epochMillis, Runnable onFire) {
    Channel ch = channels.computeIfAbsent(channel, k -> new Channel());
    synchronized (ch) {
      ch.callback = onFire;
      if (ch.pending != null && ch.pendingAt <= epochMillis) {
        return;
      }
      cancelPending(ch);
      long delay = Math.max(1, epochMillis - System.currentTimeMillis());
      ch.pending = timerService.createSingleActionTimer(delay, new TimerConfig(channel, false));
      ch.pendingAt = epochMillis;
    }
  }

  public void cancel(String channel) {
    Channel ch = channels.get(channel);
    if (ch != null) {
      synchronized (ch) {
        cancelPending(ch);
        ch.callback = null;
      }
    }
  }

  private static void cancelPending(Channel ch) {
    if (ch.pending != null) {
      try {
        ch.pending.cancel();
      } catch (NoSuchObjectLocalException | IllegalStateException e) {
        // it fired or expired meanwhile
      }
      ch.pending = null;
    }
    ch.pendingAt = Long.MAX_VALUE;
  }

  /** How many times a timer has fired since the application started (diagnostics, tests). */
  public long firedCount() {
    return fired.get();
  }

  @Timeout
  void fire(Timer timer) {
    fired.incrementAndGet();
    Channel ch = channels.get((String) timer.getInfo());
    if (ch == null) {
      return;
    }
    synchronized (ch) {
      if (timer.equals(ch.pending) || ch.pending == null) {
        ch.pending = null;
        ch.pendingAt = Long.MAX_VALUE;
      }
    }
    Runnable r = ch.callback;
    if (r != null) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "wake-up of " + timer.getInfo() + " failed", e);
      }
    }
  }
}
