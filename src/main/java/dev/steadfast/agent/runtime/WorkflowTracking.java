package dev.steadfast.agent.runtime;

import dev.steadfast.agent.TrackedWorkflow;
import dev.steadfast.agent.WorkflowQuery;
import dev.steadfast.workflow.engine.Json;
import dev.steadfast.workflow.store.JournalWriter;
import dev.steadfast.workflow.store.JournalWriter.Stmt;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The tracking rows of agent-started workflows ({@code sf_agent_workflow}) in plain JDBC, on the
 * database of the workflow journal. Writes that must commit with an instance or a step are
 * returned as statements for the journal's transaction; reads join the instance row, so a
 * status is the instance's own at the time of reading and never lags behind it.
 */
final class WorkflowTracking {
  private static final Set<String> FINISHED = Set.of("complete", "errored", "terminated");
  private static final String SELECT = "SELECT t.workflow_id, t.workflow_name, t.status,"
      + " t.metadata, t.error_name, t.error_message, t.created_at, t.updated_at, t.completed_at,"
      + " i.status, i.error_name, i.error_message, i.ended_at, i.modified_at, t.engine_workflow"
      + " FROM sf_agent_workflow t LEFT JOIN sf_instance i"
      + " ON i.workflow_name = t.engine_workflow AND i.instance_id = t.workflow_id";
  private static final String STATUS = "COALESCE(i.status, t.status)";

  private final DataSource db;
  private final Json json;
  /** Test seam: a statement run between the instance INSERT and the tracking INSERT. */
  static volatile Stmt faultAfterInstance;
  /** Test seam: a statement joined to every durable report's step (to make its commit fail). */
  static volatile Stmt faultInReport;

  WorkflowTracking(DataSource db, Json json) {
    this.db = db;
    this.json = json;
  }

  /** A tracked row as stored, plus the deployed workflow it joins. */
  record Row(TrackedWorkflow workflow, String engineWorkflow) {}

  /** The statements that insert a tracking row (and its metadata keys) for a new instance. */
  List<Stmt> insert(String agent, String name, String workflowId, String workflowName,
      String engineWorkflow, Map<String, Object> metadata, long now) {
    String id = UUID.randomUUID().toString();
    List<Stmt> out = new ArrayList<>();
    Stmt fault = faultAfterInstance;
    if (fault != null) {
      out.add(fault);
    }
    out.add(new Stmt("INSERT INTO sf_agent_workflow (id, agent, name, workflow_id, workflow_name,"
        + " engine_workflow, status, metadata, created_at, updated_at) VALUES"
        + " (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)", id, agent, name, workflowId, workflowName,
        engineWorkflow, JournalWriter.nullOf(metadata == null ? null : json.write(metadata)), now,
        now));
    if (metadata != null) {
      for (Map.Entry<String, Object> e : metadata.entrySet()) {
        out.add(new Stmt("INSERT INTO sf_agent_workflow_meta (row_id, k, v) VALUES (?, ?, ?)", id,
            e.getKey(), metaValue(e.getValue())));
      }
    }
    return out;
  }

  /** A metadata value as compared in filters: its JSON text. */
  String metaValue(Object v) {
    String text = json.write(v);
    if (text.length() > 1000) {
      throw new IllegalArgumentException("a metadata value is limited to 1000 characters of"
          + " JSON, got " + text.length());
    }
    return text;
  }

  /**
   * The statement recording a report ({@code complete} or {@code errored}) unless the row was
   * terminated or paused meanwhile; {@code guard} ties it to the reporting run.
   */
  static Stmt report(String agent, String name, String workflowId, String status,
      String errorName, String errorMessage, long now, Object[] guard) {
    boolean complete = status.equals("complete");
    return new Stmt("UPDATE sf_agent_workflow SET status = ?, error_name = ?, error_message = ?,"
        + " completed_at = ?, updated_at = ? WHERE agent = ? AND name = ? AND workflow_id = ?"
        + " AND status NOT IN ('terminated', 'paused') AND "
        + dev.steadfast.workflow.engine.StepWrites.guard(),
        concat(new Object[] {status, JournalWriter.nullOf(errorName),
            JournalWriter.nullOf(errorMessage), JournalWriter.nullOf(complete ? now : null), now,
            agent, name, workflowId}, guard));
  }

  private static Object[] concat(Object[] a, Object[] b) {
    Object[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  Row find(String agent, String name, String workflowId) {
    List<Row> rows = query(SELECT + " WHERE t.agent = ? AND t.name = ? AND t.workflow_id = ?",
        List.of(agent, name, workflowId));
    return rows.isEmpty() ? null : rows.get(0);
  }

  boolean exists(String agent, String name, String workflowId) {
    return find(agent, name, workflowId) != null;
  }

  /** A page: the rows after {@code after} (created_at, workflow_id) in the query's order. */
  List<Row> page(String agent, String name, WorkflowQuery q, Long afterCreated, String afterId,
      int limit) {
    List<Object> params = new ArrayList<>();
    StringBuilder sql = new StringBuilder(SELECT).append(where(agent, name, q, params));
    String cmp = q.isAscending() ? ">" : "<";
    if (afterCreated != null) {
      sql.append(" AND (t.created_at ").append(cmp).append(" ? OR (t.created_at = ? AND")
          .append(" t.workflow_id ").append(cmp).append(" ?))");
      params.add(afterCreated);
      params.add(afterCreated);
      params.add(afterId);
    }
    String dir = q.isAscending() ? "ASC" : "DESC";
    sql.append(" ORDER BY t.created_at ").append(dir).append(", t.workflow_id ").append(dir)
        .append(" LIMIT ").append(limit);
    return query(sql.toString(), params);
  }

  long count(String agent, String name, WorkflowQuery q) {
    List<Object> params = new ArrayList<>();
    // the instance rows only matter to a status filter
    String sql = "SELECT COUNT(*) FROM sf_agent_workflow t" + (q.statuses().isEmpty() ? ""
        : " LEFT JOIN sf_instance i ON i.workflow_name = t.engine_workflow"
            + " AND i.instance_id = t.workflow_id") + where(agent, name, q, params);
    try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
      bind(p, params);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count tracked workflows: " + e.getMessage(), e);
    }
  }

  /** The rows the filters match, ignoring paging (for deleteWorkflows). */
  List<Row> matching(String agent, String name, WorkflowQuery q) {
    List<Object> params = new ArrayList<>();
    return query(SELECT + where(agent, name, q, params), params);
  }

  private String where(String agent, String name, WorkflowQuery q, List<Object> params) {
    StringBuilder w = new StringBuilder(" WHERE t.agent = ? AND t.name = ?");
    params.add(agent);
    params.add(name);
    if (!q.statuses().isEmpty()) {
      w.append(" AND ").append(STATUS).append(" IN (")
          .append(String.join(", ", java.util.Collections.nCopies(q.statuses().size(), "?")))
          .append(")");
      params.addAll(q.statuses());
    }
    if (q.workflowName() != null) {
      w.append(" AND t.workflow_name = ?");
      params.add(q.workflowName());
    }
    if (q.createdBefore() != null) {
      w.append(" AND t.created_at < ?");
      params.add(q.createdBefore().toEpochMilli());
    }
    if (q.createdAfter() != null) {
      w.append(" AND t.created_at > ?");
      params.add(q.createdAfter().toEpochMilli());
    }
    for (Map.Entry<String, Object> e : q.metadata().entrySet()) {
      w.append(" AND EXISTS (SELECT 1 FROM sf_agent_workflow_meta m WHERE m.row_id = t.id")
          .append(" AND m.k = ? AND m.v = ?)");
      params.add(e.getKey());
      params.add(metaValue(e.getValue()));
    }
    return w.toString();
  }

  int delete(String agent, String name, List<String> workflowIds) {
    if (workflowIds.isEmpty()) {
      return 0;
    }
    String in = String.join(", ", java.util.Collections.nCopies(workflowIds.size(), "?"));
    List<Object> params = new ArrayList<>(List.of(agent, name));
    params.addAll(workflowIds);
    return update(List.of(
        new Sql("DELETE FROM sf_agent_workflow_meta WHERE row_id IN (SELECT id FROM"
            + " sf_agent_workflow WHERE agent = ? AND name = ? AND workflow_id IN (" + in + "))",
            params),
        new Sql("DELETE FROM sf_agent_workflow WHERE agent = ? AND name = ? AND workflow_id IN ("
            + in + ")", params)))[1];
  }

  /** Clears a row for a restart: queued, no error, no completion; {@code created} if reset. */
  void reset(String agent, String name, String workflowId, long now) {
    update(List.of(new Sql("UPDATE sf_agent_workflow SET status = 'queued', error_name = NULL,"
        + " error_message = NULL, completed_at = NULL, created_at = ?, updated_at = ?"
        + " WHERE agent = ? AND name = ? AND workflow_id = ?",
        List.of(now, now, agent, name, workflowId))));
  }

  void setStatus(String agent, String name, String workflowId, String status, long now) {
    update(List.of(new Sql("UPDATE sf_agent_workflow SET status = ?, updated_at = ?"
        + " WHERE agent = ? AND name = ? AND workflow_id = ?",
        List.of(status, now, agent, name, workflowId))));
  }

  int migrate(String agent, String name, String oldName, String newName, long now) {
    return update(List.of(new Sql("UPDATE sf_agent_workflow SET workflow_name = ?,"
        + " updated_at = ? WHERE agent = ? AND name = ? AND workflow_name = ?",
        List.of(newName, now, agent, name, oldName))))[0];
  }

  /**
   * A tracked workflow whose instance ended errored while its row still says queued: the engine
   * ended it without the run's own report (a lost attempt, the step limit, an Error out of run,
   * a crash between the two), so the agent has not heard of it yet.
   */
  record Unreported(String agent, String name, String workflowId, String workflowName,
      String errorName, String errorMessage) {}

  private static final String UNREPORTED = "SELECT t.agent, t.name, t.workflow_id,"
      + " t.workflow_name, i.error_name, i.error_message FROM sf_agent_workflow t"
      + " JOIN sf_instance i ON i.workflow_name = t.engine_workflow"
      + " AND i.instance_id = t.workflow_id WHERE t.status = 'queued' AND i.status = 'errored'";

  /** The unreported errors of one instance (the rows of every agent that tracks it). */
  List<Unreported> unreported(String engineWorkflow, String workflowId) {
    return unreported(UNREPORTED + " AND t.engine_workflow = ? AND t.workflow_id = ?",
        List.of(engineWorkflow, workflowId), 1000);
  }

  /** Up to {@code limit} unreported errors of any instance, oldest rows first. */
  List<Unreported> unreported(int limit) {
    return unreported(UNREPORTED + " ORDER BY t.created_at, t.workflow_id", List.of(), limit);
  }

  /** The unreported error of one row, if it still is. */
  Unreported unreported(String agent, String name, String workflowId) {
    List<Unreported> rows = unreported(UNREPORTED + " AND t.agent = ? AND t.name = ?"
        + " AND t.workflow_id = ?", List.of(agent, name, workflowId), 1);
    return rows.isEmpty() ? null : rows.get(0);
  }

  private List<Unreported> unreported(String sql, List<Object> params, int limit) {
    try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
      bind(p, params);
      p.setMaxRows(limit);
      List<Unreported> out = new ArrayList<>();
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(new Unreported(rs.getString(1), rs.getString(2), rs.getString(3),
              rs.getString(4), rs.getString(5), rs.getString(6)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read tracked workflows: " + e.getMessage(), e);
    }
  }

  /** Records that the agent was told of the error; false if the row was no longer queued. */
  boolean markReported(Unreported u, long now) {
    return update(List.of(new Sql("UPDATE sf_agent_workflow SET status = 'errored',"
        + " error_name = ?, error_message = ?, completed_at = ?, updated_at = ?"
        + " WHERE agent = ? AND name = ? AND workflow_id = ? AND status = 'queued'",
        Arrays.asList(u.errorName() == null ? "WorkflowError" : u.errorName(),
            u.errorMessage() == null ? "" : u.errorMessage(), now, now, u.agent(), u.name(),
            u.workflowId()))))[0] == 1;
  }

  /** Tracked workflow names per agent (for the start-up check of renamed workflows). */
  List<String[]> workflowNames() {
    List<String[]> out = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement p = c.prepareStatement("SELECT DISTINCT agent, engine_workflow,"
            + " workflow_name FROM sf_agent_workflow");
        ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read tracked workflows: " + e.getMessage(), e);
    }
    return out;
  }

  private record Sql(String text, List<Object> params) {}

  private int[] update(List<Sql> statements) {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try {
        int[] counts = new int[statements.size()];
        for (int k = 0; k < statements.size(); k++) {
          try (PreparedStatement p = c.prepareStatement(statements.get(k).text())) {
            bind(p, statements.get(k).params());
            counts[k] = p.executeUpdate();
          }
        }
        c.commit();
        return counts;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot update tracked workflows: " + e.getMessage(), e);
    }
  }

  private List<Row> query(String sql, List<Object> params) {
    try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
      bind(p, params);
      List<Row> out = new ArrayList<>();
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read tracked workflows: " + e.getMessage(), e);
    }
  }

  private static void bind(PreparedStatement p, List<Object> params) throws SQLException {
    for (int k = 0; k < params.size(); k++) {
      Object v = params.get(k);
      if (v instanceof Long l) {
        p.setLong(k + 1, l);
      } else {
        p.setString(k + 1, (String) v);
      }
    }
  }

  /**
   * The row as the agent sees it: while the instance exists its status is the instance's, and
   * the reported error and completion only show once the instance finished that way.
   */
  @SuppressWarnings("unchecked")
  private Row row(ResultSet rs) throws SQLException {
    String liveStatus = rs.getString(10);
    String status = liveStatus != null ? liveStatus : rs.getString(3);
    String errorName = rs.getString(5);
    String errorMessage = rs.getString(6);
    Long completed = nullable(rs, 9);
    long updated = rs.getLong(8);
    if (liveStatus != null) {
      boolean finished = FINISHED.contains(liveStatus);
      if (!"errored".equals(liveStatus)) {
        errorName = null;
        errorMessage = null;
      } else if (errorName == null) {
        errorName = rs.getString(11);
        errorMessage = rs.getString(12);
      }
      Long ended = nullable(rs, 13);
      completed = !finished ? null : completed != null ? completed : ended;
      updated = Math.max(updated, rs.getLong(14));
    }
    String meta = rs.getString(4);
    Map<String, Object> metadata = meta == null ? null
        : new LinkedHashMap<>((Map<String, Object>) json.read(meta, Map.class));
    TrackedWorkflow w = new TrackedWorkflow(rs.getString(1), rs.getString(2), status, metadata,
        errorName, errorMessage, Instant.ofEpochMilli(rs.getLong(7)), Instant.ofEpochMilli(updated),
        completed == null ? null : Instant.ofEpochMilli(completed));
    return new Row(w, rs.getString(15));
  }

  private static Long nullable(ResultSet rs, int col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? null : v;
  }
}
