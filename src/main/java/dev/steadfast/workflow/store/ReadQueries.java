package dev.steadfast.workflow.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The reads behind the REST API and {@code WorkflowClient.get}, in plain JDBC on a connection in
 * autocommit: each is one indexed SELECT of the columns it shows, with no persistence context, no
 * entity copies and no transaction to begin and commit (inside the server that was a JTA
 * transaction, an EntityManager and a commit per read: most of a 1-step instance's details).
 * Every statement reads committed rows only, so a read never sees a half-written turn.
 */
public final class ReadQueries {
  private static final String INSTANCE_COLUMNS = "uid, workflow_name, instance_id, status,"
      + " params, output, error_name, error_message, trigger_source, version_id, created_at,"
      + " modified_at, started_at, ended_at, due_at, owner, lease_until, gen, signals, control";
  private static final String STEP_COLUMNS = "step_key, seq, kind, name, occurrence, state,"
      + " config, result, result_type, error_name, error_message, attempts, failures,"
      + " started_at, ended_at, due_at, event_type, event_at";

  private final DataSource dataSource;

  public ReadQueries(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** A failed read: the engine reports it like any database error. */
  public static final class ReadFailure extends RuntimeException {
    ReadFailure(String what, SQLException cause) {
      super("reading " + what + " failed: " + cause.getMessage(), cause);
    }
  }

  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T read(String what, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new ReadFailure(what, e);
    }
  }

  /**
   * Whether an event of {@code type} sent no later than {@code sentBy} waits unconsumed for the
   * instance (what a wait would take; see {@code WorkflowStore.consumeEvent}).
   */
  public boolean hasPendingEvent(String instanceUid, String type, long sentBy) {
    return read("events of instance " + instanceUid, c -> {
      try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM sf_event WHERE instance_uid = ?"
          + " AND event_type = ? AND consumed_by IS NULL AND created_at <= ?")) {
        p.setString(1, instanceUid);
        p.setString(2, type);
        p.setLong(3, sentBy);
        p.setMaxRows(1);
        try (ResultSet rs = p.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  /** The instance row, or null. */
  public InstanceRecord instance(String workflowName, String instanceId) {
    return read("instance " + instanceId, c -> instance(c, workflowName, instanceId));
  }

  /** An instance with the step rows of its generation (in order) and their attempts. */
  public record Journal(
      InstanceRecord instance, List<StepRecord> steps, Map<String, List<AttemptRecord>> attempts,
      RollbackRecord rollback) {}

  /** The instance and its journal, on one connection; null when there is no such instance. */
  public Journal journal(String workflowName, String instanceId) {
    return read("instance " + instanceId, c -> {
      InstanceRecord r = instance(c, workflowName, instanceId);
      if (r == null) {
        return null;
      }
      return new Journal(r, steps(c, r.uid(), r.gen()), attempts(c, r.uid(), r.gen()),
          rollback(c, r.uid()));
    });
  }

  private static InstanceRecord instance(Connection c, String workflowName, String instanceId)
      throws SQLException {
    try (PreparedStatement p = c.prepareStatement("SELECT " + INSTANCE_COLUMNS
        + " FROM sf_instance WHERE workflow_name = ? AND instance_id = ?")) {
      p.setString(1, workflowName);
      p.setString(2, instanceId);
      try (ResultSet rs = p.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return new InstanceRecord(rs.getString(1), rs.getString(2), rs.getString(3),
            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
            rs.getString(9), rs.getString(10), rs.getLong(11), rs.getLong(12), longOrNull(rs, 13),
            longOrNull(rs, 14), longOrNull(rs, 15), rs.getString(16), longOrNull(rs, 17),
            rs.getInt(18), rs.getLong(19), rs.getString(20));
      }
    }
  }

  /** The stored outcome of the instance's rollback, or null when none ran. */
  private static RollbackRecord rollback(Connection c, String uid) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("SELECT rollback_outcome, rollback_step,"
        + " rollback_error_name, rollback_error_message FROM sf_instance WHERE uid = ?")) {
      p.setString(1, uid);
      try (ResultSet rs = p.executeQuery()) {
        if (!rs.next() || rs.getString(1) == null) {
          return null;
        }
        return new RollbackRecord(rs.getString(1), rs.getString(2), rs.getString(3),
            rs.getString(4));
      }
    }
  }

  private static List<StepRecord> steps(Connection c, String uid, int gen) throws SQLException {
    List<StepRecord> out = new ArrayList<>();
    try (PreparedStatement p = c.prepareStatement("SELECT " + STEP_COLUMNS
        + " FROM sf_step WHERE instance_uid = ? AND gen = ? ORDER BY seq")) {
      p.setString(1, uid);
      p.setInt(2, gen);
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(new StepRecord(rs.getString(1), rs.getInt(2), rs.getString(3),
              rs.getString(4), rs.getInt(5), rs.getString(6), rs.getString(7), rs.getString(8),
              rs.getString(9), rs.getString(10), rs.getString(11), rs.getInt(12),
              rs.getInt(13), rs.getLong(14), longOrNull(rs, 15), longOrNull(rs, 16),
              rs.getString(17), longOrNull(rs, 18)));
        }
      }
    }
    return out;
  }

  private static Map<String, List<AttemptRecord>> attempts(Connection c, String uid, int gen)
      throws SQLException {
    Map<String, List<AttemptRecord>> out = new HashMap<>();
    try (PreparedStatement p = c.prepareStatement("SELECT step_key, attempt, started_at,"
        + " ended_at, success, error_name, error_message FROM sf_attempt"
        + " WHERE instance_uid = ? AND gen = ? ORDER BY step_key, attempt")) {
      p.setString(1, uid);
      p.setInt(2, gen);
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          boolean success = rs.getBoolean(5);
          Boolean outcome = rs.wasNull() ? null : success;
          out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new AttemptRecord(
              rs.getInt(2), rs.getLong(3), longOrNull(rs, 4), outcome, rs.getString(6),
              rs.getString(7)));
        }
      }
    }
    return out;
  }

  /** What the workflow listing shows of each stored workflow, with its instances' figures. */
  public record WorkflowSummary(
      WorkflowRecord row, Map<String, Long> counts, Long triggeredAt) {}

  /**
   * The stored workflow rows among {@code names} with their instance counts per status and the
   * creation time of their newest instance: two statements, whatever the number of workflows.
   */
  public Map<String, WorkflowSummary> workflows(Collection<String> names) {
    return read("workflows", c -> {
      Map<String, WorkflowRecord> rows = new HashMap<>();
      Map<String, Long> newest = new HashMap<>();
      // the newest instance per workflow: one backward step in the (workflow_name, created_at)
      // index each, not a visit of every row
      try (PreparedStatement p = c.prepareStatement("SELECT name, class_name, binding,"
          + " version_id, created_at, modified_at, triggered_at, (SELECT MAX(i.created_at)"
          + " FROM sf_instance i WHERE i.workflow_name = w.name) FROM sf_workflow w");
          ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          if (names.contains(rs.getString(1))) {
            rows.put(rs.getString(1), new WorkflowRecord(rs.getString(1), rs.getString(2),
                rs.getString(3), rs.getString(4), rs.getLong(5), rs.getLong(6),
                longOrNull(rs, 7)));
            Long last = longOrNull(rs, 8);
            if (last != null) {
              newest.put(rs.getString(1), last);
            }
          }
        }
      }
      // COUNT(*) only: the (workflow_name, status) index answers it without visiting the rows
      // (an index-only scan on PostgreSQL once the table is vacuumed; MAX(created_at) here made
      // it read all 100,000 rows of a workflow at each view)
      Map<String, Map<String, Long>> counts = new HashMap<>();
      String filter = names.size() == 1 ? " WHERE workflow_name = ?" : "";
      try (PreparedStatement p = c.prepareStatement("SELECT workflow_name, status, COUNT(*)"
          + " FROM sf_instance" + filter + " GROUP BY workflow_name, status"
          + " ORDER BY workflow_name, status")) {
        if (!filter.isEmpty()) {
          p.setString(1, names.iterator().next());
        }
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            counts.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
                .put(rs.getString(2), rs.getLong(3));
          }
        }
      }
      Map<String, WorkflowSummary> out = new HashMap<>();
      rows.forEach((name, row) -> out.put(name, new WorkflowSummary(row,
          counts.getOrDefault(name, Map.of()), newest.get(name))));
      return out;
    });
  }

  /**
   * A page of a workflow's instances as {@link WorkflowStore#listInstances} defines it: the
   * summary columns only (no params, output, error or claim), keyset-paged.
   */
  public List<InstanceRecord> listInstances(String workflowName, Collection<String> statuses,
      Long createdFrom, Long createdTo, boolean ascending, Long cursorCreatedAt, String cursorUid,
      int limit) {
    StringBuilder sql = new StringBuilder("SELECT uid, instance_id, status, version_id,"
        + " created_at, modified_at, started_at, ended_at, gen FROM sf_instance"
        + " WHERE workflow_name = ?");
    List<Object> params = new ArrayList<>();
    params.add(workflowName);
    if (statuses != null && !statuses.isEmpty()) {
      sql.append(" AND status IN (").append("?,".repeat(statuses.size() - 1)).append("?)");
      params.addAll(statuses);
    }
    if (createdFrom != null) {
      sql.append(" AND created_at >= ?");
      params.add(createdFrom);
    }
    if (createdTo != null) {
      sql.append(" AND created_at <= ?");
      params.add(createdTo);
    }
    String op = ascending ? ">" : "<";
    if (cursorCreatedAt != null) {
      sql.append(" AND (created_at ").append(op).append(" ? OR (created_at = ? AND uid ")
          .append(op).append(" ?))");
      params.add(cursorCreatedAt);
      params.add(cursorCreatedAt);
      params.add(cursorUid);
    }
    String dir = ascending ? "ASC" : "DESC";
    sql.append(" ORDER BY created_at ").append(dir).append(", uid ").append(dir)
        .append(" FETCH FIRST ").append(limit).append(" ROWS ONLY");
    return read("instances of " + workflowName, c -> {
      List<InstanceRecord> out = new ArrayList<>();
      try (PreparedStatement p = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < params.size(); i++) {
          p.setObject(i + 1, params.get(i));
        }
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            out.add(new InstanceRecord(rs.getString(1), workflowName, rs.getString(2),
                rs.getString(3), null, null, null, null, null, rs.getString(4), rs.getLong(5),
                rs.getLong(6), longOrNull(rs, 7), longOrNull(rs, 8), null, null, null,
                rs.getInt(9), 0L, null));
          }
        }
      }
      return out;
    });
  }

  private static Long longOrNull(ResultSet rs, int i) throws SQLException {
    long v = rs.getLong(i);
    return rs.wasNull() ? null : v;
  }
}
