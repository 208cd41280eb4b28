package dev.steadfast.workflow.engine.metrics;

import dev.steadfast.workflow.store.WorkflowStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** The gauges read from the tables at each scrape: two queries, on one connection. */
final class DatabaseGauges {
  private DatabaseGauges() {}

  /** Instances by workflow and status; the due backlog and how late its oldest is. */
  record Snapshot(Map<String, Map<String, Long>> counts, long dueBacklog, long oldestDueMillis) {}

  static Snapshot read(DataSource ds, long now) throws SQLException {
    Map<String, Map<String, Long>> counts = new HashMap<>();
    long backlog;
    long oldest = 0;
    try (Connection c = ds.getConnection()) {
      try (PreparedStatement p = c.prepareStatement("SELECT workflow_name, status, COUNT(*)"
          + " FROM sf_instance GROUP BY workflow_name, status");
          ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          counts.computeIfAbsent(rs.getString(1), k -> new HashMap<>())
              .put(rs.getString(2), rs.getLong(3));
        }
      }
      // the dispatcher's own condition (WorkflowStore.due) without "owner = self": what waits
      // for a worker of some server, not what runs; per status, each a range of the (status,
      // due_at) index
      List<String> statuses = WorkflowStore.dueStatuses();
      StringBuilder sql = new StringBuilder("SELECT SUM(n), MIN(m) FROM (");
      for (int k = 0; k < statuses.size(); k++) {
        sql.append(k == 0 ? "" : " UNION ALL ")
            .append("SELECT COUNT(*) AS n, MIN(due_at) AS m FROM sf_instance WHERE status = '")
            .append(statuses.get(k)).append("' AND due_at <= ? AND (owner IS NULL OR lease_until < ")
            .append(WorkflowStore.DB_NOW).append(")");
      }
      sql.append(") d");
      try (PreparedStatement p = c.prepareStatement(sql.toString())) {
        for (int k = 0; k < statuses.size(); k++) {
          p.setLong(k + 1, now);
        }
        try (ResultSet rs = p.executeQuery()) {
          rs.next();
          backlog = rs.getLong(1);
          long min = rs.getLong(2);
          if (!rs.wasNull()) {
            oldest = Math.max(0, now - min);
          }
        }
      }
    }
    return new Snapshot(counts, backlog, oldest);
  }
}
