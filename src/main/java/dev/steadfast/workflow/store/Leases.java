package dev.steadfast.workflow.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Lease renewal and maintenance locks, in plain JDBC on a connection budget of their own (the
 * server gives them a small pool nothing else uses), so that a busy API or a burst of journal
 * writes cannot starve a renewal into losing every claim of the server. Times are the database's.
 */
public final class Leases {
  private Leases() {}

  /** A claim still held after a renewal. */
  public record Held(String uid, int gen, String control, long epoch) {}

  /**
   * Extends the leases {@code owner} holds among {@code uids} by {@code leaseMillis} from the
   * database's now, and returns the rows it still holds. Each renewal is its own statement in
   * autocommit: renewals hold no row lock while waiting for another (a batch could deadlock with a
   * journal batch that ends a turn while share-locking another instance's row).
   */
  public static Map<String, Held> renew(DataSource ds, String owner, Collection<String> uids,
      long leaseMillis) throws SQLException {
    Map<String, Held> out = new HashMap<>();
    if (uids.isEmpty()) {
      return out;
    }
    List<String> list = new ArrayList<>(uids);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(true);
      try (PreparedStatement p = c.prepareStatement("UPDATE sf_instance SET lease_until = "
          + WorkflowStore.DB_NOW + " + ? WHERE uid = ? AND owner = ?")) {
        for (String uid : list) {
          p.setLong(1, leaseMillis);
          p.setString(2, uid);
          p.setString(3, owner);
          p.executeUpdate();
        }
      }
      try (PreparedStatement p = c.prepareStatement("SELECT uid, gen, control, epoch FROM"
          + " sf_instance WHERE owner = ? AND uid IN ("
          + String.join(", ", java.util.Collections.nCopies(list.size(), "?")) + ")")) {
        p.setString(1, owner);
        for (int i = 0; i < list.size(); i++) {
          p.setString(i + 2, list.get(i));
        }
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getString(1),
                new Held(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getLong(4)));
          }
        }
      }
    }
    return out;
  }

  /**
   * Takes (or keeps) the maintenance lock {@code name} for {@code owner} for {@code leaseMillis};
   * false when another server holds it. One server at a time runs the job the lock names.
   */
  public static boolean tryLock(DataSource ds, String name, String owner, long leaseMillis)
      throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(true);
      try (PreparedStatement p = c.prepareStatement("UPDATE sf_lock SET owner = ?, lease_until = "
          + WorkflowStore.DB_NOW + " + ? WHERE name = ? AND (owner IS NULL OR owner = ?"
          + " OR lease_until < " + WorkflowStore.DB_NOW + ")")) {
        p.setString(1, owner);
        p.setLong(2, leaseMillis);
        p.setString(3, name);
        p.setString(4, owner);
        return p.executeUpdate() == 1;
      }
    }
  }

  /** Whether the database answers at all (a connection and a trivial query). */
  public static void probe(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement p = c.prepareStatement("SELECT 1");
        ResultSet rs = p.executeQuery()) {
      rs.next();
    }
  }
}
