package dev.steadfast.workflow.store;

import dev.steadfast.workflow.Status;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.TypedQuery;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hibernate.Session;

/**
 * The queries of the workflow engine. Every method runs inside the caller's transaction on the
 * given {@link EntityManager}; none opens one of its own.
 */
public final class WorkflowStore {
  /** Rows only read (journals, details): Hibernate keeps no snapshot of them for dirty checks. */
  private static final String READ_ONLY = "org.hibernate.readOnly";

  // ---------------------------------------------------------------- workflows

  /**
   * Records a deployed workflow, or updates its class, binding and version. Safe when several
   * servers register the same workflow at once (a scaled-out start): the row is inserted only if
   * it is missing (ON CONFLICT DO NOTHING on PostgreSQL; MERGE elsewhere, whose duplicate-key
   * failure when another server inserted the row at the same moment is ignored), then updated
   * only if it differs.
   */
  public void registerWorkflow(
      EntityManager em, String name, String className, String binding, String versionId, long now) {
    em.unwrap(Session.class).doWork(c -> {
      boolean postgres = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT)
          .contains("postgres");
      String insert = postgres
          ? "INSERT INTO sf_workflow (name, class_name, binding, version_id, created_at,"
              + " modified_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING"
          : "MERGE INTO sf_workflow w USING (VALUES (CAST(? AS VARCHAR(64)),"
              + " CAST(? AS VARCHAR(512)), CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(64)),"
              + " CAST(? AS BIGINT), CAST(? AS BIGINT)))"
              + " AS v (name, class_name, binding, version_id, created_at, modified_at)"
              + " ON w.name = v.name WHEN NOT MATCHED THEN INSERT (name, class_name, binding,"
              + " version_id, created_at, modified_at) VALUES (v.name, v.class_name, v.binding,"
              + " v.version_id, v.created_at, v.modified_at)";
      try (java.sql.PreparedStatement p = c.prepareStatement(insert)) {
        p.setString(1, name);
        p.setString(2, className);
        p.setString(3, binding);
        p.setString(4, versionId);
        p.setLong(5, now);
        p.setLong(6, now);
        p.executeUpdate();
      } catch (java.sql.SQLException e) {
        // H2's MERGE is not atomic: two servers may both find the row missing. The loser's
        // statement fails alone (H2 keeps the transaction usable), and the row exists now.
        if (postgres || e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
          throw e;
        }
      }
      try (java.sql.PreparedStatement p = c.prepareStatement("UPDATE sf_workflow SET"
          + " class_name = ?, binding = ?, version_id = ?, modified_at = ? WHERE name = ?"
          + " AND (class_name <> ? OR binding <> ? OR version_id <> ?)")) {
        p.setString(1, className);
        p.setString(2, binding);
        p.setString(3, versionId);
        p.setLong(4, now);
        p.setString(5, name);
        p.setString(6, className);
        p.setString(7, binding);
        p.setString(8, versionId);
        p.executeUpdate();
      }
    });
  }

  public List<WorkflowRecord> workflows(EntityManager em) {
    return em.createQuery("SELECT w FROM WorkflowEntity w ORDER BY w.name", WorkflowEntity.class)
        .getResultList()
        .stream()
        .map(WorkflowEntity::toRecord)
        .toList();
  }

  public WorkflowRecord workflow(EntityManager em, String name) {
    WorkflowEntity w = em.find(WorkflowEntity.class, name);
    return w == null ? null : w.toRecord();
  }

  /**
   * Instance counts per status of one workflow. {@code COUNT(*)}, not {@code COUNT(i)} (which
   * Hibernate writes as a count of the id column): the index on (workflow_name, status) answers
   * it alone, without visiting the rows (PostgreSQL's index-only scan, once the table is vacuumed).
   */
  public Map<String, Long> statusCounts(EntityManager em, String workflowName) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (Object row : em.createNativeQuery("SELECT status, COUNT(*) FROM sf_instance"
            + " WHERE workflow_name = ?1 GROUP BY status")
        .setParameter(1, workflowName)
        .getResultList()) {
      Object[] r = (Object[]) row;
      counts.put((String) r[0], ((Number) r[1]).longValue());
    }
    return counts;
  }

  /** When the newest instance of the workflow was created, or null. */
  public Long lastTriggered(EntityManager em, String workflowName) {
    return em.createQuery(
            "SELECT MAX(i.createdAt) FROM InstanceEntity i WHERE i.workflowName = :w", Long.class)
        .setParameter("w", workflowName)
        .getSingleResult();
  }

  /** Deletes the workflow row and all its instances; returns the number of instances deleted. */
  public int deleteWorkflow(EntityManager em, String name) {
    List<String> uids =
        em.createQuery("SELECT i.uid FROM InstanceEntity i WHERE i.workflowName = :w", String.class)
            .setParameter("w", name)
            .getResultList();
    deleteInstances(em, uids);
    em.createQuery("DELETE FROM WorkflowEntity w WHERE w.name = :w")
        .setParameter("w", name)
        .executeUpdate();
    return uids.size();
  }

  // ---------------------------------------------------------------- instances

  public void insertInstance(EntityManager em, InstanceEntity instance) {
    em.persist(instance);
  }

  /** The ids among {@code ids} that the workflow already has. */
  public Set<String> existingIds(EntityManager em, String workflowName, Collection<String> ids) {
    if (ids.isEmpty()) {
      return Set.of();
    }
    return new HashSet<>(
        em.createQuery(
                "SELECT i.instanceId FROM InstanceEntity i WHERE i.workflowName = :w"
                    + " AND i.instanceId IN :ids",
                String.class)
            .setParameter("w", workflowName)
            .setParameter("ids", ids)
            .getResultList());
  }

  /** The instance, or null. */
  public InstanceRecord instance(EntityManager em, String workflowName, String instanceId) {
    InstanceEntity e = findInstance(em, workflowName, instanceId, false);
    return e == null ? null : e.toRecord();
  }

  /** The instance row locked for update (managed: changes are written at commit), or null. */
  public InstanceEntity lockInstance(EntityManager em, String workflowName, String instanceId) {
    return findInstance(em, workflowName, instanceId, true);
  }

  public InstanceEntity lockInstanceByUid(EntityManager em, String uid) {
    return em.find(InstanceEntity.class, uid, LockModeType.PESSIMISTIC_WRITE);
  }

  public InstanceRecord instanceByUid(EntityManager em, String uid) {
    InstanceEntity e = em.find(InstanceEntity.class, uid);
    return e == null ? null : e.toRecord();
  }

  private InstanceEntity findInstance(
      EntityManager em, String workflowName, String instanceId, boolean lock) {
    TypedQuery<InstanceEntity> q =
        em.createQuery(
                "SELECT i FROM InstanceEntity i WHERE i.workflowName = :w AND i.instanceId = :id",
                InstanceEntity.class)
            .setParameter("w", workflowName)
            .setParameter("id", instanceId);
    if (lock) {
      q.setLockMode(LockModeType.PESSIMISTIC_WRITE);
    }
    List<InstanceEntity> list = q.getResultList();
    return list.isEmpty() ? null : list.get(0);
  }

  /**
   * Instances of a workflow, newest first (or oldest first), filtered by status and creation time,
   * paged by a (created_at, uid) keyset cursor. Only the summary columns are read: the records
   * carry no params, output, error or claim (null), so a page of 1,000 instances with large
   * params costs what the listing shows.
   */
  public List<InstanceRecord> listInstances(
      EntityManager em,
      String workflowName,
      Collection<String> statuses,
      Long createdFrom,
      Long createdTo,
      boolean ascending,
      Long cursorCreatedAt,
      String cursorUid,
      int limit) {
    StringBuilder jpql = new StringBuilder("SELECT i.uid, i.instanceId, i.status, i.versionId,"
        + " i.createdAt, i.modifiedAt, i.startedAt, i.endedAt, i.gen"
        + " FROM InstanceEntity i WHERE i.workflowName = :w");
    Map<String, Object> params = new HashMap<>();
    params.put("w", workflowName);
    if (statuses != null && !statuses.isEmpty()) {
      jpql.append(" AND i.status IN :st");
      params.put("st", statuses);
    }
    if (createdFrom != null) {
      jpql.append(" AND i.createdAt >= :from");
      params.put("from", createdFrom);
    }
    if (createdTo != null) {
      jpql.append(" AND i.createdAt <= :to");
      params.put("to", createdTo);
    }
    if (cursorCreatedAt != null) {
      String op = ascending ? ">" : "<";
      jpql.append(" AND (i.createdAt ").append(op).append(" :cc OR (i.createdAt = :cc AND i.uid ")
          .append(op).append(" :cu))");
      params.put("cc", cursorCreatedAt);
      params.put("cu", cursorUid);
    }
    String dir = ascending ? "ASC" : "DESC";
    jpql.append(" ORDER BY i.createdAt ").append(dir).append(", i.uid ").append(dir);
    TypedQuery<Object[]> q = em.createQuery(jpql.toString(), Object[].class);
    params.forEach(q::setParameter);
    return q.setMaxResults(limit).getResultList().stream().map(r -> new InstanceRecord(
        (String) r[0], workflowName, (String) r[1], (String) r[2], null, null, null, null, null,
        (String) r[3], (Long) r[4], (Long) r[5], (Long) r[6], (Long) r[7], null, null, null,
        (Integer) r[8], 0L, null)).toList();
  }

  /** Up to {@code limit} uids of the workflow's instances, for deletion in bounded batches. */
  public List<String> instanceUids(EntityManager em, String workflowName, int limit) {
    return em.createQuery("SELECT i.uid FROM InstanceEntity i WHERE i.workflowName = :w",
            String.class)
        .setParameter("w", workflowName).setMaxResults(limit).getResultList();
  }

  /** Deletes instances with everything recorded for them. */
  public void deleteInstances(EntityManager em, Collection<String> uids) {
    if (uids.isEmpty()) {
      return;
    }
    // The instance rows first, locked in uid order: turns lock their instance row before they
    // touch its step rows, and group commits lock instance rows in uid order (JournalWriter); a
    // delete that went child rows first, in the database's order, deadlocked with running turns.
    List<String> sorted = new ArrayList<>(new java.util.TreeSet<>(uids));
    em.unwrap(Session.class).doWork(c -> {
      try (java.sql.PreparedStatement p = c.prepareStatement("SELECT uid FROM sf_instance"
          + " WHERE uid IN (" + placeholders(sorted.size()) + ") ORDER BY uid FOR UPDATE")) {
        for (int i = 0; i < sorted.size(); i++) {
          p.setString(i + 1, sorted.get(i));
        }
        try (java.sql.ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            // locking is the point
          }
        }
      }
    });
    for (String entity : new String[] {"AttemptEntity", "StepEntity", "EventEntity"}) {
      em.createQuery("DELETE FROM " + entity + " x WHERE x.instanceUid IN :u")
          .setParameter("u", uids)
          .executeUpdate();
    }
    em.createQuery("DELETE FROM InstanceEntity i WHERE i.uid IN :u")
        .setParameter("u", uids)
        .executeUpdate();
  }

  // ---------------------------------------------------------------- dispatch

  /** The statuses the dispatcher looks for due instances in (see {@link #due}). */
  public static List<String> dueStatuses() {
    return DUE_GROUPS;
  }

  /** The statuses the dispatcher looks for due instances in: the started ones, then queued. */
  private static final List<String> DUE_GROUPS = java.util.stream.Stream.concat(
      java.util.Arrays.stream(Status.values())
          .filter(x -> x != Status.QUEUED && !x.isFinished())
          .map(Status::wireName),
      java.util.stream.Stream.of(Status.QUEUED.wireName())).toList();

  /**
   * The database's clock in epoch milliseconds, as SQL (the same on H2 and PostgreSQL). Leases are
   * set and compared with it, so servers whose clocks disagree still agree on when one expires.
   */
  public static final String DB_NOW = "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)";

  /**
   * Uids of instances due to run that nobody holds (or whose lease ran out); also those {@code
   * self} holds, which include claims of turns this server abandoned (a failed write): the caller
   * skips its own running turns and may claim the others again at once. Instances that already
   * started (waking from a sleep, a retry delay or a wait) come first, then queued ones; each
   * group earliest first (see docs/workflow-semantics.md).
   */
  public List<String> due(EntityManager em, long now, int limit, String self) {
    return due(em, now, limit, self, Set.of());
  }

  /** As {@link #due(EntityManager, long, int, String)}, leaving out the workflows {@code skip}. */
  public List<String> due(EntityManager em, long now, int limit, String self,
      Collection<String> skip) {
    return em.unwrap(Session.class).doReturningWork(c -> {
      String free = " AND due_at <= ? AND (owner IS NULL OR lease_until < " + DB_NOW
          + " OR owner = ?)"
          + (skip.isEmpty() ? "" : " AND workflow_name NOT IN (" + placeholders(skip.size()) + ")")
          + " ORDER BY due_at LIMIT ?)";
      // one scan per status, each in the order of the (status, due_at) index and stopped at the
      // limit, whatever the planner thinks of the backlog: with "status IN (...)" PostgreSQL 15
      // either sorts every due row of those statuses or walks the due_at index and filters, and
      // the latter passes over every due queued instance (a long queue) before it finds the
      // started ones the first group wants
      StringBuilder sql = new StringBuilder("SELECT uid FROM (");
      for (int k = 0; k < DUE_GROUPS.size(); k++) {
        sql.append(k == 0 ? "" : " UNION ALL ").append("(SELECT uid, due_at, ")
            .append(DUE_GROUPS.get(k).equals("queued") ? 1 : 0)
            .append(" AS grp FROM sf_instance WHERE status = '").append(DUE_GROUPS.get(k))
            .append("'").append(free);
      }
      sql.append(") d ORDER BY grp, due_at LIMIT ?");
      try (java.sql.PreparedStatement p = c.prepareStatement(sql.toString())) {
        int i = 1;
        for (int k = 0; k < DUE_GROUPS.size(); k++) {
          p.setLong(i++, now);
          p.setString(i++, self);
          for (String w : skip) {
            p.setString(i++, w);
          }
          p.setInt(i++, limit);
        }
        p.setInt(i, limit);
        List<String> out = new ArrayList<>();
        try (java.sql.ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
        return out;
      }
    });
  }

  /**
   * The earliest time something may become runnable: a due time of an unheld instance, or the
   * lease end of an instance held by another server. Null when nothing is pending.
   */
  public Long nextWake(EntityManager em, String self) {
    return nextWake(em, self, Set.of());
  }

  /** As {@link #nextWake(EntityManager, String)}, leaving out the due times of {@code skip}. */
  public Long nextWake(EntityManager em, String self, Collection<String> skip) {
    // the statuses the dispatcher claims from (due), each the first unheld one in the order of
    // the (status, due_at) index: no walk over every sleeper, and no index of its own on due_at
    // (which every claim and release would have to keep up to date)
    Long due = em.unwrap(Session.class).doReturningWork(c -> {
      StringBuilder sql = new StringBuilder("SELECT MIN(due_at) FROM (");
      for (int k = 0; k < DUE_GROUPS.size(); k++) {
        sql.append(k == 0 ? "" : " UNION ALL ").append("(SELECT due_at FROM sf_instance")
            .append(" WHERE status = '").append(DUE_GROUPS.get(k))
            .append("' AND due_at IS NOT NULL AND owner IS NULL")
            .append(skip.isEmpty() ? ""
                : " AND workflow_name NOT IN (" + placeholders(skip.size()) + ")")
            .append(" ORDER BY due_at LIMIT 1)");
      }
      sql.append(") d");
      try (java.sql.PreparedStatement p = c.prepareStatement(sql.toString())) {
        int i = 1;
        for (int k = 0; k < DUE_GROUPS.size(); k++) {
          for (String w : skip) {
            p.setString(i++, w);
          }
        }
        try (java.sql.ResultSet rs = p.executeQuery()) {
          return rs.next() ? longOrNull(rs, 1) : null;
        }
      }
    });
    Long lease =
        em.createQuery(
                "SELECT MIN(i.leaseUntil) FROM InstanceEntity i WHERE i.owner IS NOT NULL"
                    + " AND i.owner <> :me AND i.dueAt IS NOT NULL",
                Long.class)
            .setParameter("me", self)
            .getSingleResult();
    if (due == null) {
      return lease;
    }
    return lease == null ? due : Math.min(due, lease);
  }

  private static final String INSTANCE_COLUMNS = "uid, workflow_name, instance_id, status,"
      + " params, output, error_name, error_message, trigger_source, version_id, created_at,"
      + " modified_at, started_at, ended_at, due_at, owner, lease_until, gen, signals, control";
  private static final String STEP_COLUMNS = "instance_uid, gen, step_key, seq, kind, name,"
      + " occurrence, state, config, result, result_type, error_name, error_message, attempts,"
      + " failures, started_at, ended_at, due_at, event_type, event_at";

  /**
   * A claimed instance row as the claim left it, the claim epoch the claim gave it, and the status
   * the claim found it in ({@code from}: different from the row's when the claim also started the
   * instance's turn, see {@link #claimMany}).
   */
  public record Claimed(InstanceRecord row, long epoch, String from) {
    /** Whether the claim itself started the instance's turn (no separate start to write). */
    public boolean started() {
      return Status.RUNNING.wireName().equals(row.status()) && STARTABLE.contains(from);
    }
  }

  /** The statuses a claim also starts the turn of (in its own UPDATE). */
  private static final List<String> STARTABLE =
      List.of(Status.WAITING.wireName(), Status.QUEUED.wireName());

  /**
   * Above this many workflows deployed the claim does not start turns itself (the list of their
   * names is part of the claim's statement): the caller writes the start as a statement of its own.
   */
  static final int MAX_STARTABLE_NAMES = 64;

  /**
   * Claims the instances among {@code uids} that are due and unheld (or held by {@code owner}
   * itself: the caller passes only instances it runs no turn of), for {@code owner} for {@code
   * leaseMillis} of the database's clock, bumping each one's claim epoch, in the caller's
   * transaction: one JDBC batch of conditional UPDATEs and one SELECT, whatever the number.
   * Returns the claimed rows as they are now.
   *
   * <p>An instance that is simply due (waiting or queued, no pending control) of a workflow among
   * {@code startable} (those this server runs) is also marked running from {@code now} by the same
   * UPDATE: its turn starts without an UPDATE of its own ({@link Claimed#started()}). Every claimed
   * row records the status the claim found in {@code claimed_from}, read back as {@link
   * Claimed#from()}.
   */
  public List<Claimed> claimMany(EntityManager em, List<String> uids, String owner,
      long leaseMillis, long now, Collection<String> startable) {
    if (uids.isEmpty()) {
      return List.of();
    }
    // in uid order, like every statement that locks several instance rows (deleteInstances)
    List<String> ordered = uids.stream().sorted().toList();
    List<String> names = startable.size() > MAX_STARTABLE_NAMES ? List.of()
        : startable.stream().sorted().toList();
    String sql;
    if (names.isEmpty()) {
      sql = "UPDATE sf_instance SET claimed_from = status, owner = ?, lease_until = " + DB_NOW
          + " + ?, epoch = epoch + 1 WHERE uid = ? AND due_at <= ?"
          + " AND (owner IS NULL OR lease_until < " + DB_NOW + " OR owner = ?)";
    } else {
      // every right-hand side sees the row as it was: claimed_from gets the status found
      String start = "status IN ('" + String.join("', '", STARTABLE) + "') AND control IS NULL"
          + " AND workflow_name IN (" + placeholders(names.size()) + ")";
      sql = "UPDATE sf_instance SET claimed_from = status,"
          + " status = CASE WHEN " + start + " THEN 'running' ELSE status END,"
          + " started_at = CASE WHEN " + start + " THEN COALESCE(started_at, ?)"
          + " ELSE started_at END,"
          + " modified_at = CASE WHEN " + start + " THEN ? ELSE modified_at END,"
          + " owner = ?, lease_until = " + DB_NOW + " + ?, epoch = epoch + 1"
          + " WHERE uid = ? AND due_at <= ?"
          + " AND (owner IS NULL OR lease_until < " + DB_NOW + " OR owner = ?)";
    }
    return em.unwrap(Session.class).doReturningWork(c -> {
      List<JournalWriter.Stmt> claims = new ArrayList<>();
      for (String uid : ordered) {
        List<Object> args = new ArrayList<>(3 * names.size() + 7);
        if (!names.isEmpty()) {
          args.addAll(names); // status
          args.addAll(names); // started_at
          args.add(now);
          args.addAll(names); // modified_at
          args.add(now);
        }
        args.add(owner);
        args.add(leaseMillis);
        args.add(uid);
        args.add(now);
        args.add(owner);
        claims.add(new JournalWriter.Stmt(sql, args.toArray()));
      }
      int[] counts = JournalWriter.execute(c, claims);
      List<String> claimed = new ArrayList<>();
      for (int i = 0; i < ordered.size(); i++) {
        if (counts[i] > 0) {
          claimed.add(ordered.get(i));
        }
      }
      if (claimed.isEmpty()) {
        return List.<Claimed>of();
      }
      List<Claimed> out = new ArrayList<>();
      try (java.sql.PreparedStatement p = c.prepareStatement("SELECT " + INSTANCE_COLUMNS
          + ", epoch, claimed_from FROM sf_instance WHERE uid IN ("
          + placeholders(claimed.size()) + ")")) {
        for (int i = 0; i < claimed.size(); i++) {
          p.setString(i + 1, claimed.get(i));
        }
        try (java.sql.ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            out.add(new Claimed(new InstanceRecord(rs.getString(1), rs.getString(2),
                rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                rs.getLong(11), rs.getLong(12), longOrNull(rs, 13), longOrNull(rs, 14),
                longOrNull(rs, 15), rs.getString(16), longOrNull(rs, 17), rs.getInt(18),
                rs.getLong(19), rs.getString(20)), rs.getLong(21), rs.getString(22)));
          }
        }
      }
      return out;
    });
  }

  /** The journals (step rows of the current generation, in order) of several instances. */
  public Map<String, List<StepRecord>> journals(EntityManager em, Map<String, Integer> genByUid) {
    Map<String, List<StepRecord>> out = new HashMap<>();
    if (genByUid.isEmpty()) {
      return out;
    }
    List<String> uids = new ArrayList<>(genByUid.keySet());
    em.unwrap(Session.class).doWork(c -> {
      try (java.sql.PreparedStatement p = c.prepareStatement("SELECT " + STEP_COLUMNS
          + " FROM sf_step WHERE instance_uid IN (" + placeholders(uids.size()) + ")"
          + " ORDER BY instance_uid, seq")) {
        for (int i = 0; i < uids.size(); i++) {
          p.setString(i + 1, uids.get(i));
        }
        try (java.sql.ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            String uid = rs.getString(1);
            if (rs.getInt(2) != genByUid.get(uid)) {
              continue;
            }
            out.computeIfAbsent(uid, k -> new ArrayList<>()).add(new StepRecord(rs.getString(3),
                rs.getInt(4), rs.getString(5), rs.getString(6), rs.getInt(7), rs.getString(8),
                rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12),
                rs.getString(13), rs.getInt(14), rs.getInt(15), rs.getLong(16),
                longOrNull(rs, 17), longOrNull(rs, 18), rs.getString(19), longOrNull(rs, 20)));
          }
        }
      }
    });
    return out;
  }

  /** Runs statements in the caller's transaction (JDBC batches by SQL); returns their counts. */
  public int[] execute(EntityManager em, List<JournalWriter.Stmt> stmts) {
    if (stmts.isEmpty()) {
      return new int[0];
    }
    return em.unwrap(Session.class).doReturningWork(c -> JournalWriter.execute(c, stmts));
  }

  /** A claimed instance starts its turn: running from now. */
  public static JournalWriter.Stmt startTurnStmt(String uid, long now) {
    return new JournalWriter.Stmt("UPDATE sf_instance SET status = 'running',"
        + " started_at = COALESCE(started_at, ?), modified_at = ? WHERE uid = ?", now, now, uid);
  }

  /** A claimed instance has nothing to run: it settles in {@code status} and is let go. */
  public static JournalWriter.Stmt settleClaimStmt(String uid, String status, long now) {
    return new JournalWriter.Stmt("UPDATE sf_instance SET status = ?, control = NULL,"
        + " due_at = NULL, owner = NULL, lease_until = NULL, modified_at = ? WHERE uid = ?",
        status, now, uid);
  }

  /** A claimed instance this server cannot run: let go, looked at again at {@code dueAt}. */
  public static JournalWriter.Stmt passClaimStmt(String uid, long dueAt) {
    return new JournalWriter.Stmt("UPDATE sf_instance SET owner = NULL, lease_until = NULL,"
        + " due_at = ? WHERE uid = ?", dueAt, uid);
  }

  private static String placeholders(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  private static Long longOrNull(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
    long v = rs.getLong(i);
    return rs.wasNull() ? null : v;
  }

  /** Drops every claim of {@code owner}: used at startup, when nothing of ours can be running. */
  public int releaseAll(EntityManager em, String owner) {
    return em.createQuery(
            "UPDATE InstanceEntity i SET i.owner = NULL, i.leaseUntil = NULL WHERE i.owner = :o")
        .setParameter("o", owner)
        .executeUpdate();
  }

  /**
   * Locks the instance row and tells whether {@code claim} still holds, in the caller's
   * transaction: a journal write made in a JPA transaction (a waitForEvent, a settlement) runs
   * this first and writes nothing when it is false.
   */
  public boolean fence(EntityManager em, Claim claim) {
    return em.createNativeQuery("UPDATE sf_instance SET epoch = epoch WHERE uid = ? AND owner = ?"
            + " AND epoch = ?")
        .setParameter(1, claim.uid())
        .setParameter(2, claim.owner())
        .setParameter(3, claim.epoch())
        .executeUpdate() == 1;
  }

  /** The owner of claims whose server stopped while their turns still ran (see below). */
  public static final String STOPPED_OWNER = "~stopped-server";

  /**
   * At a clean shutdown: drops the claims of {@code owner} except those of turns that are still
   * running ({@code stillRunning}). Those keep their lease (no longer renewed), so another server
   * takes them over only once it expires; they are handed to {@link #STOPPED_OWNER} so that this
   * server id starting again at once (a redeploy in the same JVM, where the old turns may still
   * run) does not drop them as its own. Returns the number of claims dropped.
   */
  public int releaseStopped(EntityManager em, String owner, Collection<String> stillRunning) {
    if (!stillRunning.isEmpty()) {
      em.createQuery("UPDATE InstanceEntity i SET i.owner = :s WHERE i.owner = :o"
              + " AND i.uid IN :u")
          .setParameter("s", STOPPED_OWNER)
          .setParameter("o", owner)
          .setParameter("u", stillRunning)
          .executeUpdate();
    }
    return releaseAll(em, owner);
  }

  // ---------------------------------------------------------------- journal

  /** The step rows of one generation, in the order they were first recorded. */
  public List<StepRecord> steps(EntityManager em, String uid, int gen) {
    return em.createQuery(
            "SELECT s FROM StepEntity s WHERE s.instanceUid = :u AND s.gen = :g ORDER BY s.seq",
            StepEntity.class)
        .setParameter("u", uid)
        .setParameter("g", gen)
        .setHint(READ_ONLY, true)
        .getResultList()
        .stream()
        .map(StepEntity::toRecord)
        .toList();
  }

  /** The attempt rows of one generation by step key, each list in attempt order. */
  public Map<String, List<AttemptRecord>> attempts(EntityManager em, String uid, int gen) {
    Map<String, List<AttemptRecord>> out = new HashMap<>();
    for (AttemptEntity a :
        em.createQuery(
                "SELECT a FROM AttemptEntity a WHERE a.instanceUid = :u AND a.gen = :g"
                    + " ORDER BY a.attempt",
                AttemptEntity.class)
            .setParameter("u", uid)
            .setParameter("g", gen)
            .setHint(READ_ONLY, true)
            .getResultList()) {
      out.computeIfAbsent(a.stepKey(), k -> new ArrayList<>()).add(a.toRecord());
    }
    return out;
  }

  // ---------------------------------------------------------------- group-committed writes

  // Every statement below is fenced: it writes only while the turn's claim holds (Claim), and
  // its update count is 0 otherwise. Inserts are INSERT ... SELECT ... WHERE <claim holds>.
  private static final String INSERT_STEP_SELECT =
      "(" + STEP_COLUMNS + ") SELECT " + placeholders(20);
  private static final String INSERT_ATTEMPT_SELECT = "(instance_uid, gen,"
      + " step_key, attempt, started_at, ended_at, success, error_name, error_message)"
      + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?";

  private static Object[] concat(Object[]... parts) {
    List<Object> all = new ArrayList<>();
    for (Object[] p : parts) {
      all.addAll(java.util.Arrays.asList(p));
    }
    return all.toArray();
  }

  private static Object[] stepParams(String uid, int gen, StepRecord s) {
    return new Object[] {uid, gen, s.key(), s.seq(), s.kind(), s.name(), s.occurrence(),
        s.state(), JournalWriter.nullOf(s.config()), JournalWriter.nullOf(s.result()),
        JournalWriter.nullOf(s.resultType()), JournalWriter.nullOf(s.errorName()),
        JournalWriter.nullOf(s.errorMessage()), s.attempts(), s.failures(), s.startedAt(),
        JournalWriter.nullOf(s.endedAt()), JournalWriter.nullOf(s.dueAt()),
        JournalWriter.nullOf(s.eventType()), JournalWriter.nullOf(s.eventAt())};
  }

  private static Object[] attemptParams(String uid, int gen, String stepKey, AttemptRecord a) {
    return new Object[] {uid, gen, stepKey, a.attempt(), a.startedAt(),
        JournalWriter.nullOf(a.endedAt()), JournalWriter.nullOf(a.success()),
        JournalWriter.nullOf(a.errorName()), JournalWriter.nullOf(a.errorMessage())};
  }

  /** A new step row (count 0 when the claim no longer holds). */
  public static JournalWriter.Stmt insertStepStmt(Claim c, int gen, StepRecord s) {
    return new JournalWriter.Stmt("INSERT INTO sf_step " + INSERT_STEP_SELECT + " WHERE "
        + c.condition(), concat(stepParams(c.uid(), gen, s), c.params()));
  }

  /** A new attempt row (count 0 when the claim no longer holds). */
  public static JournalWriter.Stmt insertAttemptStmt(Claim c, int gen, String stepKey,
      AttemptRecord a) {
    return new JournalWriter.Stmt("INSERT INTO sf_attempt " + INSERT_ATTEMPT_SELECT + " WHERE "
        + c.condition(), concat(attemptParams(c.uid(), gen, stepKey, a), c.params()));
  }

  /**
   * A new step row with its one attempt: one statement on PostgreSQL (the claim check, the step
   * row and the attempt row in one round trip), two elsewhere. Counts 0 when the claim is gone.
   */
  public static JournalWriter.Stmt[] insertStepWithAttemptStmts(Claim c, int gen, StepRecord s,
      AttemptRecord a) {
    if (c.dialect() == JournalWriter.Dialect.POSTGRESQL) {
      String sql = "WITH s AS (INSERT INTO sf_step " + INSERT_STEP_SELECT + " WHERE "
          + c.condition() + " RETURNING 1) INSERT INTO sf_attempt " + INSERT_ATTEMPT_SELECT
          + " FROM s";
      return new JournalWriter.Stmt[] {new JournalWriter.Stmt(sql,
          concat(stepParams(c.uid(), gen, s), c.params(),
              attemptParams(c.uid(), gen, s.key(), a)))};
    }
    return new JournalWriter.Stmt[] {insertStepStmt(c, gen, s),
        insertAttemptStmt(c, gen, s.key(), a)};
  }

  /** Overwrites an existing step row (count 0 if the row is missing or the claim is gone). */
  /** Deletes one attempt's row (a turn that moved to another server takes back its start). */
  public static JournalWriter.Stmt deleteAttemptStmt(Claim c, int gen, String stepKey,
      int attempt) {
    return new JournalWriter.Stmt("DELETE FROM sf_attempt WHERE instance_uid = ? AND gen = ?"
        + " AND step_key = ? AND attempt = ? AND " + c.condition(),
        concat(new Object[] {c.uid(), gen, stepKey, attempt}, c.params()));
  }

  /** Deletes a step's row (as {@link #deleteAttemptStmt}, for a step that had no other). */
  public static JournalWriter.Stmt deleteStepStmt(Claim c, int gen, String stepKey) {
    return new JournalWriter.Stmt("DELETE FROM sf_step WHERE instance_uid = ? AND gen = ?"
        + " AND step_key = ? AND " + c.condition(),
        concat(new Object[] {c.uid(), gen, stepKey}, c.params()));
  }

  public static JournalWriter.Stmt updateStepStmt(Claim c, int gen, StepRecord s) {
    return new JournalWriter.Stmt("UPDATE sf_step SET seq = ?, kind = ?, name = ?,"
        + " occurrence = ?, state = ?, config = ?, result = ?, result_type = ?, error_name = ?,"
        + " error_message = ?, attempts = ?, failures = ?, started_at = ?, ended_at = ?,"
        + " due_at = ?, event_type = ?, event_at = ?"
        + " WHERE instance_uid = ? AND gen = ? AND step_key = ? AND " + c.condition(),
        concat(new Object[] {s.seq(), s.kind(), s.name(), s.occurrence(), s.state(),
            JournalWriter.nullOf(s.config()), JournalWriter.nullOf(s.result()),
            JournalWriter.nullOf(s.resultType()), JournalWriter.nullOf(s.errorName()),
            JournalWriter.nullOf(s.errorMessage()), s.attempts(), s.failures(), s.startedAt(),
            JournalWriter.nullOf(s.endedAt()), JournalWriter.nullOf(s.dueAt()),
            JournalWriter.nullOf(s.eventType()), JournalWriter.nullOf(s.eventAt()), c.uid(), gen,
            s.key()}, c.params()));
  }

  /** The end of an attempt whose start row exists (count 0 when the claim is gone). */
  public static JournalWriter.Stmt finishAttemptStmt(Claim c, int gen, String stepKey,
      AttemptRecord a) {
    return new JournalWriter.Stmt("UPDATE sf_attempt SET ended_at = ?, success = ?,"
        + " error_name = ?, error_message = ? WHERE instance_uid = ? AND gen = ? AND step_key = ?"
        + " AND attempt = ? AND " + c.condition(),
        concat(new Object[] {JournalWriter.nullOf(a.endedAt()), JournalWriter.nullOf(a.success()),
            JournalWriter.nullOf(a.errorName()), JournalWriter.nullOf(a.errorMessage()), c.uid(),
            gen, stepKey, a.attempt()}, c.params()));
  }

  /**
   * Marks the attempts of a step that never ended (their server died) as lost, except attempt
   * {@code current}, whose row the same write finishes. Its count may be 0 legitimately.
   */
  public static JournalWriter.Stmt markLostAttemptsStmt(Claim c, int gen, String stepKey,
      int current, long now) {
    return new JournalWriter.Stmt("UPDATE sf_attempt SET ended_at = ?, success = FALSE,"
        + " error_name = 'AttemptLost', error_message = 'the server running this attempt"
        + " stopped before it ended' WHERE instance_uid = ? AND gen = ? AND step_key = ?"
        + " AND ended_at IS NULL AND attempt <> ? AND " + c.condition(),
        concat(new Object[] {now, c.uid(), gen, stepKey, current}, c.params()));
  }

  /**
   * A new instance row; one created claimed ({@code leaseMillis} not null) gets claim epoch 1
   * and a lease of that long on the database's clock.
   */
  public static JournalWriter.Stmt insertInstanceStmt(InstanceEntity e, Long leaseMillis) {
    return new JournalWriter.Stmt("INSERT INTO sf_instance (uid, workflow_name, instance_id,"
        + " status, params, trigger_source, version_id, created_at, modified_at, started_at,"
        + " due_at, owner, lease_until, gen, signals, epoch, retain_success, retain_error)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS BIGINT) + " + DB_NOW
        + ", ?, ?, ?, ?, ?)",
        e.getUid(), e.getWorkflowName(), e.getInstanceId(), e.getStatus(),
        JournalWriter.nullOf(e.getParams()), e.getTriggerSource(), e.getVersionId(),
        e.getCreatedAt(), e.getModifiedAt(), JournalWriter.nullOf(e.getStartedAt()),
        JournalWriter.nullOf(e.getDueAt()),
        JournalWriter.nullOf(e.getOwner()), JournalWriter.nullOf(leaseMillis), e.getGen(),
        e.getSignals(), e.getOwner() == null ? 0L : 1L,
        JournalWriter.nullOf(e.getRetainSuccess()), JournalWriter.nullOf(e.getRetainError()));
  }

  /**
   * Ends a turn: writes the outcome and gives up the claim, unless the row changed since the turn
   * began (another owner or claim epoch, a new generation, or a signal) or a terminate with
   * rollback is pending. Its count is 1 if it was written.
   */
  public static JournalWriter.Stmt releaseStmt(Claim c, int gen,
      long seenSignals, boolean checkSignals, String status, Long dueAt, String output,
      String errorName, String errorMessage, Long endedAt, long now) {
    // purge_at: the end plus the instance's own retention for its outcome (NULL when it has none
    // or did not end: the sweep then uses the server's default)
    String sql = "UPDATE sf_instance SET status = ?, due_at = ?, output = ?, error_name = ?,"
        + " error_message = ?, ended_at = ?, modified_at = ?, owner = NULL, lease_until = NULL,"
        + " control = NULL, started_at = COALESCE(started_at, ?), purge_at = CAST(? AS BIGINT)"
        + " + (CASE WHEN CAST(? AS VARCHAR(20)) = 'complete' THEN retain_success ELSE retain_error"
        + " END)"
        + " WHERE uid = ? AND owner = ? AND epoch = ? AND gen = ?"
        // a terminate with rollback (see engine.Rollbacks) waits for the turn: not overwritten
        + " AND (control IS NULL OR control <> 'rollback')"
        + (checkSignals ? " AND signals = ?" : "");
    List<Object> p = new ArrayList<>(List.of(status, JournalWriter.nullOf(dueAt),
        JournalWriter.nullOf(output), JournalWriter.nullOf(errorName),
        JournalWriter.nullOf(errorMessage), JournalWriter.nullOf(endedAt), now, now,
        JournalWriter.nullOf(endedAt), status, c.uid(), c.owner(), c.epoch(), gen));
    if (checkSignals) {
      p.add(seenSignals);
    }
    return new JournalWriter.Stmt(sql, p.toArray());
  }

  /**
   * Hands an instance from the turn's claim to {@code server}: due at once, owned by that server
   * for {@code reserveMillis} on the database's clock (so that only it claims the instance until
   * then), under the same conditions as {@link #releaseStmt}. Its count is 1 if it was written.
   */
  public static JournalWriter.Stmt handOffStmt(Claim c, int gen, long seenSignals, String server,
      long reserveMillis, long now) {
    return new JournalWriter.Stmt("UPDATE sf_instance SET due_at = ?, modified_at = ?,"
        + " owner = ?, lease_until = CAST(? AS BIGINT) + " + DB_NOW
        + " WHERE uid = ? AND owner = ? AND epoch = ? AND gen = ?"
        + " AND (control IS NULL OR control <> 'rollback') AND signals = ?",
        now, now, server, reserveMillis, c.uid(), c.owner(), c.epoch(), gen, seenSignals);
  }

  /** Inserts a new step row. */
  public void insertStep(EntityManager em, String uid, int gen, StepRecord step) {
    em.persist(StepEntity.of(uid, gen, step));
  }

  /** Overwrites an existing step row (inserts it if it is missing). */
  public void updateStep(EntityManager em, String uid, int gen, StepRecord step) {
    // one UPDATE statement, not a SELECT to load the row and then an UPDATE of it
    int n = em.createQuery(
            "UPDATE StepEntity s SET s.seq = :seq, s.kind = :kind, s.name = :name,"
                + " s.occurrence = :occ, s.state = :state, s.config = :config, s.result = :result,"
                + " s.resultType = :rt, s.errorName = :en, s.errorMessage = :em,"
                + " s.attempts = :att, s.failures = :fail, s.startedAt = :sa, s.endedAt = :ea,"
                + " s.dueAt = :due, s.eventType = :et, s.eventAt = :eat"
                + " WHERE s.instanceUid = :u AND s.gen = :g AND s.stepKey = :k")
        .setParameter("seq", step.seq())
        .setParameter("kind", step.kind())
        .setParameter("name", step.name())
        .setParameter("occ", step.occurrence())
        .setParameter("state", step.state())
        .setParameter("config", step.config())
        .setParameter("result", step.result())
        .setParameter("rt", step.resultType())
        .setParameter("en", step.errorName())
        .setParameter("em", step.errorMessage())
        .setParameter("att", step.attempts())
        .setParameter("fail", step.failures())
        .setParameter("sa", step.startedAt())
        .setParameter("ea", step.endedAt())
        .setParameter("due", step.dueAt())
        .setParameter("et", step.eventType())
        .setParameter("eat", step.eventAt())
        .setParameter("u", uid)
        .setParameter("g", gen)
        .setParameter("k", step.key())
        .executeUpdate();
    if (n == 0) {
      em.persist(StepEntity.of(uid, gen, step));
    }
  }

  public void insertAttempt(EntityManager em, String uid, int gen, String stepKey, AttemptRecord a) {
    em.persist(AttemptEntity.of(uid, gen, stepKey, a));
  }

  /**
   * Keeps the steps recorded before {@code fromSeq} (all of them when null is not given: none) by
   * copying them into generation {@code newGen}, then deletes generation {@code oldGen}.
   */
  public void carryOver(EntityManager em, String uid, int oldGen, int newGen, int fromSeq) {
    List<StepEntity> keep =
        em.createQuery(
                "SELECT s FROM StepEntity s WHERE s.instanceUid = :u AND s.gen = :g AND s.seq < :q",
                StepEntity.class)
            .setParameter("u", uid)
            .setParameter("g", oldGen)
            .setParameter("q", fromSeq)
            .getResultList();
    Map<String, List<AttemptRecord>> attempts = attempts(em, uid, oldGen);
    List<StepRecord> records = keep.stream().map(StepEntity::toRecord).toList();
    deleteGeneration(em, uid, oldGen);
    em.flush();
    for (StepRecord r : records) {
      insertStep(em, uid, newGen, r);
      for (AttemptRecord a : attempts.getOrDefault(r.key(), List.of())) {
        insertAttempt(em, uid, newGen, r.key(), a);
      }
    }
  }

  /** Deletes every step and attempt row of generations up to {@code gen}. */
  public void deleteGeneration(EntityManager em, String uid, int gen) {
    em.createQuery("DELETE FROM AttemptEntity a WHERE a.instanceUid = :u AND a.gen <= :g")
        .setParameter("u", uid)
        .setParameter("g", gen)
        .executeUpdate();
    em.createQuery("DELETE FROM StepEntity s WHERE s.instanceUid = :u AND s.gen <= :g")
        .setParameter("u", uid)
        .setParameter("g", gen)
        .executeUpdate();
  }

  // ---------------------------------------------------------------- events

  public void insertEvent(EntityManager em, String uid, String type, String payload, long now) {
    EventEntity e = new EventEntity();
    e.instanceUid = uid;
    e.eventType = type;
    e.payload = payload;
    e.createdAt = now;
    em.persist(e);
  }

  /**
   * Takes the oldest unconsumed event of {@code type} for the instance sent no later than {@code
   * sentBy} (the wait's deadline) and marks it consumed by the step; returns {payload, createdAt}
   * or null when none is buffered. An event sent after a wait timed out belongs to the next wait,
   * even when the time-out has not been processed yet (a late wake-up on a busy server).
   */
  public Object[] consumeEvent(EntityManager em, String uid, String type, int gen, String stepKey,
      long sentBy) {
    List<EventEntity> list =
        em.createQuery(
                "SELECT e FROM EventEntity e WHERE e.instanceUid = :u AND e.eventType = :t"
                    + " AND e.consumedBy IS NULL AND e.createdAt <= :by ORDER BY e.seq",
                EventEntity.class)
            .setParameter("u", uid)
            .setParameter("t", type)
            .setParameter("by", sentBy)
            .setMaxResults(1)
            .getResultList();
    if (list.isEmpty()) {
      return null;
    }
    EventEntity e = list.get(0);
    e.consumedBy = stepKey;
    e.consumedGen = gen;
    return new Object[] {e.payload, e.createdAt};
  }

  /** Buffered (unconsumed) events of an instance: {type, payload, createdAt} in FIFO order. */
  public List<Object[]> pendingEvents(EntityManager em, String uid) {
    return em.createQuery(
            "SELECT e.eventType, e.payload, e.createdAt FROM EventEntity e WHERE e.instanceUid = :u"
                + " AND e.consumedBy IS NULL ORDER BY e.seq",
            Object[].class)
        .setParameter("u", uid)
        .getResultList();
  }
}
