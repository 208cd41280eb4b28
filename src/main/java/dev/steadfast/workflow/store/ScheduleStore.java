package dev.steadfast.workflow.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.sql.DataSource;

/**
 * The rows of {@code sf_schedule}: one per cron schedule of a deployed workflow, holding the next
 * tick. Plain JDBC in autocommit: servers starting together may insert the same row, and the
 * loser's duplicate key must fail its own statement only.
 */
public final class ScheduleStore {
  private ScheduleStore() {}

  /** A schedule and its next tick (epoch millis). */
  public record Row(String workflow, String cron, long nextAt) {}

  /** The schedules of {@code workflow}. */
  public static List<Row> of(DataSource ds, String workflow) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement p = c.prepareStatement(
            "SELECT workflow_name, cron, next_at FROM sf_schedule WHERE workflow_name = ?")) {
      c.setAutoCommit(true);
      p.setString(1, workflow);
      return rows(p);
    }
  }

  /** Schedules whose next tick is at or before {@code now}. */
  public static List<Row> due(DataSource ds, long now) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement p = c.prepareStatement("SELECT workflow_name, cron, next_at FROM"
            + " sf_schedule WHERE next_at <= ? ORDER BY next_at")) {
      c.setAutoCommit(true);
      p.setLong(1, now);
      return rows(p);
    }
  }

  /**
   * Adds the schedule unless it exists (another server may add it at the same moment: its
   * duplicate key is not an error). Returns whether this call added it.
   */
  public static boolean add(DataSource ds, String workflow, String cron, long nextAt, long now)
      throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement p = c.prepareStatement("INSERT INTO sf_schedule (workflow_name, cron,"
            + " next_at, created_at) VALUES (?, ?, ?, ?)")) {
      c.setAutoCommit(true);
      p.setString(1, workflow);
      p.setString(2, cron);
      p.setLong(3, nextAt);
      p.setLong(4, now);
      return p.executeUpdate() == 1;
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
        return false;
      }
      throw e;
    }
  }

  /** Removes the schedules of {@code workflow} other than {@code keep}. */
  public static int removeOthers(DataSource ds, String workflow, Collection<String> keep)
      throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(true);
      int n = 0;
      for (Row r : of(ds, workflow)) {
        if (!keep.contains(r.cron())) {
          try (PreparedStatement p = c.prepareStatement(
              "DELETE FROM sf_schedule WHERE workflow_name = ? AND cron = ?")) {
            p.setString(1, workflow);
            p.setString(2, r.cron());
            n += p.executeUpdate();
          }
        }
      }
      return n;
    }
  }

  /**
   * The statement that moves a schedule on from the tick {@code seen} to {@code next}: it updates
   * nothing when another server moved it on first.
   */
  public static JournalWriter.Stmt advanceStmt(String workflow, String cron, long seen,
      long next) {
    return new JournalWriter.Stmt("UPDATE sf_schedule SET next_at = ? WHERE workflow_name = ?"
        + " AND cron = ? AND next_at = ?", next, workflow, cron, seen);
  }

  /** Moves a schedule on (autocommit); false when another server moved it on first. */
  public static boolean advance(DataSource ds, String workflow, String cron, long seen, long next)
      throws SQLException {
    JournalWriter.Stmt s = advanceStmt(workflow, cron, seen, next);
    try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(s.sql())) {
      c.setAutoCommit(true);
      for (int i = 0; i < s.params().length; i++) {
        p.setObject(i + 1, s.params()[i]);
      }
      return p.executeUpdate() == 1;
    }
  }

  private static List<Row> rows(PreparedStatement p) throws SQLException {
    List<Row> out = new ArrayList<>();
    try (ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        out.add(new Row(rs.getString(1), rs.getString(2), rs.getLong(3)));
      }
    }
    return out;
  }
}
