package dev.steadfast.workflow.engine;

import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * This server's row in {@code sf_server}: proof that no other running server uses the same server
 * id. Claims are keyed by server id, and a server drops every claim of its id when it starts, so
 * two servers sharing an id (a copied data directory, one environment variable for all nodes)
 * would steal each other's instances while both run them.
 *
 * <p>A running server bumps its row's beat count every {@link #BEAT_MILLIS}. A server starting
 * with an id whose row is held by another incarnation watches the count for {@link
 * #OBSERVE_MILLIS}: if it moves, that server is alive and this one refuses to start; if not, the
 * holder is dead (a crash) and its row is taken over. A clean stop frees the row, so a restart
 * after one is immediate; a restart after a crash waits {@link #OBSERVE_MILLIS} once. Beats
 * are counted, not timed, so the servers' clocks do not matter.
 */
final class ServerPresence {
  private static final Logger LOG = Logger.getLogger(ServerPresence.class.getName());
  static final long BEAT_MILLIS = 1_000;
  static final long OBSERVE_MILLIS = 5_000;
  /** A row not seen for this long (by this server's clock) is dead without watching it. */
  private static final long STALE_MILLIS = 10 * 60_000;

  private final DataSource dataSource;
  private final String serverId;
  private final String nonce = UUID.randomUUID().toString();
  private final long observeMillis;
  private ScheduledFuture<?> beat;
  private volatile boolean lost;

  ServerPresence(DataSource dataSource, String serverId, long observeMillis) {
    this.dataSource = dataSource;
    this.serverId = serverId;
    this.observeMillis = observeMillis;
  }

  /** Thrown when another running server already uses this server id. */
  static final class DuplicateServerIdException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    DuplicateServerIdException(String message) {
      super(message);
    }
  }

  /**
   * Takes this server id's row, waiting up to the observation time if another incarnation holds
   * it, and starts beating on {@code scheduler}.
   *
   * @throws DuplicateServerIdException if a running server uses the id
   */
  void acquire(ScheduledExecutorService scheduler) {
    try {
      take();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot register server " + serverId + ": "
          + e.getMessage(), e);
    }
    beat = scheduler.scheduleWithFixedDelay(this::beat, BEAT_MILLIS, BEAT_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  private void take() throws SQLException {
    Row row = read();
    if (row == null) {
      if (insert()) {
        return;
      }
      throw duplicate(read(), "started at the same moment");
    }
    if (row.nonce != null && System.currentTimeMillis() - row.seenAt < STALE_MILLIS) {
      // held by another incarnation: alive (its beats move) or dead (a crash)?
      long deadline = System.currentTimeMillis() + observeMillis;
      while (System.currentTimeMillis() < deadline) {
        sleep(Math.min(250, observeMillis));
        Row now = read();
        if (now == null || !java.util.Objects.equals(now.nonce, row.nonce)
            || now.beats != row.beats) {
          throw duplicate(now == null ? row : now, "its presence beat is moving");
        }
      }
      LOG.info("server id " + serverId + " was held by a server that stopped without"
          + " releasing it (host " + row.host + "); taking it over");
    }
    if (!update(row)) {
      throw duplicate(read(), "it took the id while this server was starting");
    }
  }

  private DuplicateServerIdException duplicate(Row row, String why) {
    return new DuplicateServerIdException("server id '" + serverId + "' is already used by a"
        + " running server" + (row == null ? "" : " (host " + row.host + ", started at "
        + java.time.Instant.ofEpochMilli(row.startedAt) + ")") + ": " + why + ". Each server"
        + " sharing a database needs its own steadfast.server.id (by default an id kept in the"
        + " data directory: do not share or copy that directory between servers); this server"
        + " does not start");
  }

  private record Row(String nonce, long beats, String host, long startedAt, long seenAt) {}

  private Row read() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement p = c.prepareStatement("SELECT nonce, beats, host, started_at, seen_at"
            + " FROM sf_server WHERE server_id = ?")) {
      p.setString(1, serverId);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? new Row(rs.getString(1), rs.getLong(2), rs.getString(3),
            rs.getLong(4), rs.getLong(5)) : null;
      }
    }
  }

  private boolean insert() throws SQLException {
    long now = System.currentTimeMillis();
    try (Connection c = dataSource.getConnection();
        PreparedStatement p = c.prepareStatement("INSERT INTO sf_server (server_id, nonce, beats,"
            + " host, started_at, seen_at) VALUES (?, ?, 0, ?, ?, ?)")) {
      c.setAutoCommit(true);
      p.setString(1, serverId);
      p.setString(2, nonce);
      p.setString(3, host());
      p.setLong(4, now);
      p.setLong(5, now);
      p.executeUpdate();
      return true;
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
        return false; // another server inserted the same id first
      }
      throw e;
    }
  }

  /** Takes the row over from the incarnation seen in {@code seen}, if it did not change since. */
  private boolean update(Row seen) throws SQLException {
    long now = System.currentTimeMillis();
    try (Connection c = dataSource.getConnection();
        PreparedStatement p = c.prepareStatement("UPDATE sf_server SET nonce = ?,"
            + " beats = beats + 1, host = ?, started_at = ?, seen_at = ? WHERE server_id = ?"
            + " AND beats = ? AND " + (seen.nonce == null ? "nonce IS NULL" : "nonce = ?"))) {
      c.setAutoCommit(true);
      p.setString(1, nonce);
      p.setString(2, host());
      p.setLong(3, now);
      p.setLong(4, now);
      p.setString(5, serverId);
      p.setLong(6, seen.beats);
      if (seen.nonce != null) {
        p.setString(7, seen.nonce);
      }
      return p.executeUpdate() == 1;
    }
  }

  private void beat() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement p = c.prepareStatement("UPDATE sf_server SET beats = beats + 1,"
            + " seen_at = ? WHERE server_id = ? AND nonce = ?")) {
      c.setAutoCommit(true);
      p.setLong(1, System.currentTimeMillis());
      p.setString(2, serverId);
      p.setString(3, nonce);
      if (p.executeUpdate() == 0 && !lost) {
        lost = true;
        LOG.severe("server id '" + serverId + "' was taken over by another server that"
            + " believed this one dead (this server's presence beat stalled for over "
            + observeMillis + " ms); two servers now use one id: stop one of them");
      }
    } catch (SQLException | RuntimeException e) {
      LOG.log(Level.FINE, "server presence beat failed", e);
    }
  }

  /** Stops beating; {@code clean}: frees the row, so the next start with this id is immediate. */
  void release(boolean clean) {
    if (beat != null) {
      beat.cancel(false);
    }
    if (!clean || lost) {
      return;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement p = c.prepareStatement("UPDATE sf_server SET nonce = NULL,"
            + " seen_at = ? WHERE server_id = ? AND nonce = ?")) {
      c.setAutoCommit(true);
      p.setLong(1, System.currentTimeMillis());
      p.setString(2, serverId);
      p.setString(3, nonce);
      p.executeUpdate();
    } catch (SQLException | RuntimeException e) {
      LOG.log(Level.FINE, "could not free the server row at shutdown", e);
    }
  }

  private static String host() {
    try {
      String h = InetAddress.getLocalHost().getHostName() + " pid " + ProcessHandle.current().pid();
      return h.length() > 256 ? h.substring(0, 256) : h;
    } catch (java.io.IOException | RuntimeException e) {
      return "pid " + ProcessHandle.current().pid();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the server id", e);
    }
  }
}
