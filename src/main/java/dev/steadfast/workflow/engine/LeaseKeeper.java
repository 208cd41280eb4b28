package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.store.Leases;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The heartbeat of a server's claims: renews the leases of its running turns, passes on pause
 * and rollback requests and lost claims, and starts the retention sweep. It runs on a thread of
 * its own, which nothing else scheduled can delay, with connections of its own ({@link
 * Transactor#leaseDataSource()}); the same thread probes the database during an outage ({@link
 * DatabaseHealth}). A renewal that does not happen lets the turns' leases lapse, and they stop
 * running steps (Turn#checkpoint) before another server may take them over.
 */
final class LeaseKeeper {
  private static final Logger LOG = Logger.getLogger(LeaseKeeper.class.getName());
  /** How often the retention sweep deletes a batch (sooner while batches come back full). */
  private static final long SWEEP_SECONDS = 60;
  /** How long one server holds the retention lock once it took it. */
  private static final long SWEEP_LOCK_MILLIS = 120_000;

  private final WorkflowEngine engine;
  private final Dispatcher dispatcher;
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private ScheduledExecutorService thread;
  /** System.nanoTime() of the last tick of the shared scheduler and of this thread (liveness). */
  private volatile long schedulerTick = System.nanoTime();
  private volatile long leaseTick = System.nanoTime();

  LeaseKeeper(WorkflowEngine engine, Dispatcher dispatcher) {
    this.engine = engine;
    this.dispatcher = dispatcher;
  }

  void start() {
    thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "steadfast-leases-" + engine.serverId());
      t.setDaemon(true);
      return t;
    });
    engine.health().start(thread);
    long every = Math.max(200, engine.config().lease().toMillis() / 3);
    thread.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    thread.scheduleWithFixedDelay(this::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    // a tick on the shared scheduler proves it is not stuck (liveness)
    engine.scheduler().scheduleWithFixedDelay(() -> schedulerTick = System.nanoTime(), 1, 1,
        TimeUnit.SECONDS);
  }

  void stop() {
    if (thread != null) {
      thread.shutdownNow();
    }
  }

  /** Null while the scheduler and this thread tick, else which one stopped. */
  String stuck(boolean turnsRunning) {
    long now = System.nanoTime();
    long limit = Math.max(30_000L, 2 * engine.config().lease().toMillis()) * 1_000_000L;
    if (now - schedulerTick > limit) {
      return "the engine's scheduler has not run for " + (now - schedulerTick) / 1_000_000L
          + " ms";
    }
    if (turnsRunning && now - leaseTick > limit) {
      return "lease renewal has not run for " + (now - leaseTick) / 1_000_000L + " ms";
    }
    return null;
  }

  /**
   * Renews leases, forwards pause and rollback requests (made on other servers), drops turns
   * whose claim was lost.
   */
  private void renew() {
    leaseTick = System.nanoTime();
    List<Turn> turns = dispatcher.activeTurns();
    Set<String> claiming = dispatcher.claimingNow();
    if (!dispatcher.isRunning() || (turns.isEmpty() && claiming.isEmpty())) {
      return;
    }
    try {
      engine.hooks().beforeLeaseRenewal(engine.serverId());
      long started = System.nanoTime();
      Set<String> live = new HashSet<>(claiming);
      turns.forEach(t -> live.add(t.uid()));
      Map<String, Leases.Held> held = Leases.renew(engine.tx().leaseDataSource(),
          engine.serverId(), live, engine.config().lease().toMillis());
      for (Turn turn : turns) {
        Leases.Held row = held.get(turn.uid());
        if (row == null || row.gen() != turn.gen() || row.epoch() != turn.claim.epoch()) {
          turn.abandon();
        } else {
          turn.leaseRenewed(started);
          if ("pause".equals(row.control())) {
            turn.pauseRequested = true;
          } else if (Rollbacks.TERMINATE_CONTROL.equals(row.control()) && !turn.rollingBack) {
            turn.requestRollback(); // a terminate with rollback sent to another server
          }
        }
      }
    } catch (java.sql.SQLException | RuntimeException e) {
      if (!engine.health().failed(e)) {
        LOG.log(Level.WARNING, "workflow lease heartbeat failed", e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts one batch of the retention sweep, off this thread, when this server holds the
   * retention lock (one server at a time sweeps); a full batch asks for the next one soon.
   */
  private void sweep() {
    if (!dispatcher.isRunning() || !engine.health().isUp()
        || !sweeping.compareAndSet(false, true)) {
      return;
    }
    try {
      engine.branchExecutor().execute(() -> {
        try {
          if (!Leases.tryLock(engine.tx().leaseDataSource(), "retention", engine.serverId(),
              SWEEP_LOCK_MILLIS)) {
            return;
          }
          int n = engine.sweepRetentionBatch();
          if (n > 0) {
            LOG.info("deleted " + n + " finished workflow instances past their retention");
          }
          if (n == WorkflowEngine.SWEEP_BATCH && dispatcher.isRunning()) {
            thread.schedule(this::sweep, 1, TimeUnit.SECONDS);
          }
        } catch (java.sql.SQLException | RuntimeException e) {
          if (!engine.health().failed(e)) {
            LOG.log(Level.WARNING, "retention sweep failed; retried at the next tick", e);
          }
        } finally {
          sweeping.set(false);
        }
      });
    } catch (RuntimeException e) {
      sweeping.set(false); // the executor is shutting down
    }
  }
}
