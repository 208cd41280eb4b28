package dev.steadfast.agent.store;

import dev.steadfast.workflow.engine.Transactor;
import jakarta.persistence.EntityManager;
import java.util.List;

/**
 * Every query of the agent runtime, each in a transaction of its own: state writes are single-row
 * upserts, schedule claims are conditional updates so a run is never started twice.
 */
public final class AgentStore {
  private final Transactor tx;

  public AgentStore(Transactor tx) {
    this.tx = tx;
  }

  /** The instance row, created (state never set) if missing. */
  public AgentEntity loadOrCreate(String agent, String name, long now) {
    return tx.inTransaction(em -> findOrCreate(em, agent, name, now));
  }

  private static AgentEntity findOrCreate(EntityManager em, String agent, String name, long now) {
    AgentEntity e = em.find(AgentEntity.class, new AgentKey(agent, name));
    if (e == null) {
      e = new AgentEntity();
      e.agent = agent;
      e.name = name;
      e.createdAt = now;
      e.updatedAt = now;
      em.persist(e);
    }
    return e;
  }

  /**
   * Writes the instance's state: one UPDATE in autocommit (one round trip and one commit: an RPC
   * that changes state waits for this write), or, for an instance without a row, its insert.
   * Fenced: refused with {@link OwnershipLostException} while another server than {@code owner}
   * holds the instance's lease, so a server that lost it cannot overwrite the new owner's state.
   */
  public void saveState(String agent, String name, String stateJson, long now, String owner) {
    try (java.sql.Connection c = tx.dataSource().getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true); // the pool hands out what the last user left
      }
      try (java.sql.PreparedStatement p = c.prepareStatement(
          "UPDATE sf_agent SET state = ?, updated_at = ? WHERE agent = ? AND name = ?"
              + " AND NOT EXISTS (SELECT 1 FROM sf_agent_owner o WHERE o.agent = ?"
              + " AND o.name = ? AND o.owner <> ?)")) {
        p.setString(1, stateJson);
        p.setLong(2, now);
        p.setString(3, agent);
        p.setString(4, name);
        p.setString(5, agent);
        p.setString(6, name);
        p.setString(7, owner);
        if (p.executeUpdate() > 0) {
          return;
        }
      }
      try (java.sql.PreparedStatement p = c.prepareStatement(
          "SELECT owner FROM sf_agent_owner WHERE agent = ? AND name = ? AND owner <> ?")) {
        p.setString(1, agent);
        p.setString(2, name);
        p.setString(3, owner);
        try (java.sql.ResultSet rs = p.executeQuery()) {
          if (rs.next()) {
            throw new OwnershipLostException(agent, name, rs.getString(1));
          }
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("saving the state of " + agent + "/" + name + " failed: "
          + e.getMessage(), e);
    }
    tx.inTransaction(em -> {
      AgentEntity e = findOrCreate(em, agent, name, now);
      e.state = stateJson;
      e.updatedAt = now;
      return null;
    });
  }

  public AgentEntity find(String agent, String name) {
    return tx.inTransaction(em -> em.find(AgentEntity.class, new AgentKey(agent, name)));
  }

  public List<AgentEntity> instances(String agent, int limit) {
    return tx.inTransaction(em -> (agent == null
            ? em.createQuery("select a from AgentEntity a order by a.agent, a.name",
                AgentEntity.class)
            : em.createQuery("select a from AgentEntity a where a.agent = :agent order by a.name",
                AgentEntity.class).setParameter("agent", agent))
        .setMaxResults(limit).getResultList());
  }

  // --- schedules

  public void insert(ScheduleEntity s) {
    tx.inTransaction(em -> {
      em.persist(s);
      return null;
    });
  }

  public ScheduleEntity schedule(String id) {
    return tx.inTransaction(em -> em.find(ScheduleEntity.class, id));
  }

  public List<ScheduleEntity> schedules(String agent, String name) {
    return tx.inTransaction(em -> em.createQuery(
            "select s from ScheduleEntity s where s.agent = :a and s.name = :n order by s.dueAt, s.id",
            ScheduleEntity.class)
        .setParameter("a", agent).setParameter("n", name).getResultList());
  }

  /** An existing schedule with the same identity, for the idempotent cron and interval kinds. */
  public ScheduleEntity findSame(String agent, String name, String type, String callback,
      String payload, String cron, Long intervalSeconds) {
    List<ScheduleEntity> same = schedules(agent, name).stream()
        .filter(s -> s.type.equals(type) && s.callback.equals(callback)
            && java.util.Objects.equals(s.payload, payload)
            && java.util.Objects.equals(s.cron, cron)
            && java.util.Objects.equals(s.intervalSeconds, intervalSeconds))
        .toList();
    return same.isEmpty() ? null : same.get(0);
  }

  public boolean deleteSchedule(String agent, String name, String id) {
    return tx.inTransaction(em -> em.createQuery(
            "delete from ScheduleEntity s where s.id = :id and s.agent = :a and s.name = :n")
        .setParameter("id", id).setParameter("a", agent).setParameter("n", name)
        .executeUpdate()) > 0;
  }

  public void deleteSchedule(String id) {
    tx.inTransaction(em -> em.createQuery("delete from ScheduleEntity s where s.id = :id")
        .setParameter("id", id).executeUpdate());
  }

  /** Schedules due at {@code now} that no live run holds (a run older than staleBefore is dead). */
  public List<ScheduleEntity> due(long now, long staleBefore, int limit) {
    return tx.inTransaction(em -> em.createQuery(
            "select s from ScheduleEntity s where s.dueAt <= :now and (s.runningSince is null"
                + " or s.runningSince < :stale) order by s.dueAt", ScheduleEntity.class)
        .setParameter("now", now).setParameter("stale", staleBefore)
        .setMaxResults(limit).getResultList());
  }

  /** Marks a due schedule running; false when another run holds it or it is gone. */
  public boolean claim(String id, long now, long staleBefore) {
    return tx.inTransaction(em -> em.createQuery(
            "update ScheduleEntity s set s.runningSince = :now where s.id = :id"
                + " and (s.runningSince is null or s.runningSince < :stale)")
        .setParameter("now", now).setParameter("id", id).setParameter("stale", staleBefore)
        .executeUpdate()) > 0;
  }

  /**
   * Renews the running mark of runs still going on this server, so a run longer than the hang
   * limit is not taken for dead and started again; a finished run (mark cleared) stays cleared.
   */
  public int renewRunning(java.util.Collection<String> ids, long now) {
    if (ids.isEmpty()) {
      return 0;
    }
    return tx.inTransaction(em -> em.createQuery(
            "update ScheduleEntity s set s.runningSince = :now where s.id in :ids"
                + " and s.runningSince is not null")
        .setParameter("now", now).setParameter("ids", ids).executeUpdate());
  }

  /** Ends a run of a recurring schedule: next due time, no longer running. */
  public void reschedule(String id, long nextDue) {
    tx.inTransaction(em -> em.createQuery(
            "update ScheduleEntity s set s.runningSince = null, s.dueAt = :due where s.id = :id")
        .setParameter("due", nextDue).setParameter("id", id).executeUpdate());
  }

  /** When the dispatcher must look again: the earliest due time or hung-run reset; null if none. */
  public Long nextWakeUp(long hangMillis) {
    return tx.inTransaction(em -> {
      Long idle = em.createQuery(
              "select min(s.dueAt) from ScheduleEntity s where s.runningSince is null", Long.class)
          .getSingleResult();
      Long running = em.createQuery(
              "select min(s.runningSince) from ScheduleEntity s where s.runningSince is not null",
              Long.class)
          .getSingleResult();
      Long reset = running == null ? null : running + hangMillis;
      if (idle == null) {
        return reset;
      }
      return reset == null ? idle : Math.min(idle, reset);
    });
  }

  public long countSchedules(String agent, String name) {
    return tx.inTransaction(em -> em.createQuery(
            "select count(s) from ScheduleEntity s where s.agent = :a and s.name = :n", Long.class)
        .setParameter("a", agent).setParameter("n", name).getSingleResult());
  }

  // --- queue

  public void insert(QueueEntity q) {
    tx.inTransaction(em -> {
      em.persist(q);
      return null;
    });
  }

  public QueueEntity queueItem(String agent, String name, String id) {
    return tx.inTransaction(em -> {
      QueueEntity q = em.find(QueueEntity.class, id);
      return q != null && q.agent.equals(agent) && q.name.equals(name) ? q : null;
    });
  }

  public List<QueueEntity> queue(String agent, String name, int limit) {
    return tx.inTransaction(em -> em.createQuery(
            "select q from QueueEntity q where q.agent = :a and q.name = :n order by q.seq",
            QueueEntity.class)
        .setParameter("a", agent).setParameter("n", name).setMaxResults(limit).getResultList());
  }

  public boolean dequeue(String agent, String name, String id) {
    return tx.inTransaction(em -> em.createQuery(
            "delete from QueueEntity q where q.id = :id and q.agent = :a and q.name = :n")
        .setParameter("id", id).setParameter("a", agent).setParameter("n", name)
        .executeUpdate()) > 0;
  }

  public int dequeueAll(String agent, String name) {
    return tx.inTransaction(em -> em.createQuery(
            "delete from QueueEntity q where q.agent = :a and q.name = :n")
        .setParameter("a", agent).setParameter("n", name).executeUpdate());
  }

  public long countQueue(String agent, String name) {
    return tx.inTransaction(em -> em.createQuery(
            "select count(q) from QueueEntity q where q.agent = :a and q.name = :n", Long.class)
        .setParameter("a", agent).setParameter("n", name).getSingleResult());
  }

  public Long maxSeq() {
    return tx.inTransaction(em -> em.createQuery("select max(q.seq) from QueueEntity q", Long.class)
        .getSingleResult());
  }

  /** Instances with pending queue items, to resume draining after a restart. */
  public List<Object[]> queueOwners() {
    return tx.inTransaction(em -> em.createQuery(
            "select distinct q.agent, q.name from QueueEntity q", Object[].class).getResultList());
  }
}
