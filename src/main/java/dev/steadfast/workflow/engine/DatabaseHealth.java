package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.store.Leases;
import java.io.EOFException;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Whether this server can reach its database. Any part of the engine that sees a failure reports
 * it here; a failure that means "cannot reach the database" (a refused or broken connection, a
 * database shutting down or closed) turns the state DOWN and starts a probe with back-off. When a
 * probe succeeds the state is UP again and the engine is told at once, so the turns that failed
 * are run again by this server within a probe interval of the database's return, not after a
 * lease. Each change is logged once, as one line: an outage is two log lines, not a stack trace per
 * failed write.
 */
public final class DatabaseHealth {
  private static final Logger LOG = Logger.getLogger(DatabaseHealth.class.getName());
  static final long FIRST_PROBE_MILLIS = 100;
  static final long MAX_PROBE_MILLIS = 1_000;

  private final DataSource dataSource;
  private final Runnable onBack;
  private volatile ScheduledExecutorService probes;
  private volatile boolean up = true;
  private volatile long downSince;
  private volatile String cause;
  private long nextDelay;

  DatabaseHealth(DataSource dataSource, Runnable onBack) {
    this.dataSource = dataSource;
    this.onBack = onBack;
  }

  /** Where probes run (the engine's lease thread: it has nothing else to do in an outage). */
  void start(ScheduledExecutorService probes) {
    this.probes = probes;
  }

  /** True unless the last contact with the database failed to connect. */
  public boolean isUp() {
    return up;
  }

  /** Why the database is considered down (one line), or null when it is up. */
  public String cause() {
    return up ? null : cause;
  }

  /** Since when (epoch millis) the database is unreachable, or 0 when it is up. */
  public long downSince() {
    return up ? 0 : downSince;
  }

  /**
   * Reports a failure seen talking to the database. Returns true if it means the database is
   * unreachable (the caller then need not log it: this did, once for the whole outage).
   */
  public boolean failed(Throwable t) {
    if (!isConnectivity(t)) {
      return false;
    }
    boolean first;
    synchronized (this) {
      first = up;
      if (first) {
        up = false;
        downSince = System.currentTimeMillis();
        cause = oneLine(t);
        nextDelay = FIRST_PROBE_MILLIS;
      }
    }
    if (first) {
      LOG.warning("database unreachable: " + cause + "; turns pause, the database is probed"
          + " until it answers");
      scheduleProbe();
    }
    return true;
  }

  private void scheduleProbe() {
    ScheduledExecutorService s = probes;
    if (s == null) {
      return;
    }
    long delay;
    synchronized (this) {
      delay = nextDelay;
      nextDelay = Math.min(MAX_PROBE_MILLIS, nextDelay * 2);
    }
    try {
      s.schedule(this::probe, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      // the engine is stopping
    }
  }

  private void probe() {
    try {
      Leases.probe(dataSource);
    } catch (SQLException | RuntimeException e) {
      synchronized (this) {
        cause = oneLine(e);
      }
      LOG.log(Level.FINE, "database still unreachable", e);
      scheduleProbe();
      return;
    }
    long down = System.currentTimeMillis() - downSince;
    synchronized (this) {
      up = true;
    }
    LOG.info("database reachable again after " + down + " ms; resuming turns");
    try {
      onBack.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not resume after the database came back", e);
    }
  }

  /**
   * Whether a failure means the database cannot be reached (rather than, say, a constraint
   * violation): SQLState class 08 (connection exception), PostgreSQL's shutdown and start-up
   * states (57P01-57P03), H2's closed-database codes, socket errors, and the JDBC connection
   * exception types, anywhere in the cause chain.
   */
  public static boolean isConnectivity(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof SQLTransientConnectionException
          || c instanceof SQLNonTransientConnectionException
          || c instanceof SQLRecoverableException
          || c instanceof SocketException
          || c instanceof EOFException
          || c instanceof java.net.SocketTimeoutException
          || c instanceof java.nio.channels.ClosedChannelException
          || c.getClass().getName().endsWith("JDBCConnectionException")) {
        return true;
      }
      if (c instanceof SQLException s) {
        String state = s.getSQLState();
        if (state != null && (state.startsWith("08") || state.startsWith("57P")
            || state.equals("90098") || state.equals("90121") || state.equals("90067")
            || state.equals("90028"))) {
          return true;
        }
      }
      String m = c.getMessage();
      if (m != null && (m.contains("Connection refused") || m.contains("connection has been closed")
          || m.contains("Error in allocating a connection") || m.contains("Database is already closed"))) {
        return true;
      }
    }
    return false;
  }

  private static String oneLine(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = String.valueOf(root.getMessage()).replace('\n', ' ');
    return root.getClass().getSimpleName() + ": " + (m.length() > 200 ? m.substring(0, 200) : m);
  }
}
