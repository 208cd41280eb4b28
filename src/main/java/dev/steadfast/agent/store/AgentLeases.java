package dev.steadfast.agent.store;

import dev.steadfast.workflow.engine.Transactor;
import dev.steadfast.workflow.store.WorkflowStore;
import jakarta.persistence.PersistenceException;

/**
 * The ownership leases of live agent instances ({@code sf_agent_owner}): at most one server holds
 * an instance in memory at a time. Plain SQL on the agent transactor, no entity: the rows are
 * the runtime's bookkeeping, never read as objects. Leases are set and compared on the database's
 * clock (as the engine's are), so two servers whose clocks disagree still agree on when one
 * runs out: a server whose clock runs ahead cannot take a live instance from another.
 */
public final class AgentLeases {
  /** Now plus a parameter, in epoch milliseconds on the database's clock. */
  private static String dbNowPlus(String param) {
    return "CAST(" + param + " AS BIGINT) + " + WorkflowStore.DB_NOW;
  }

  private final Transactor tx;

  public AgentLeases(Transactor tx) {
    this.tx = tx;
  }

  /**
   * Takes the lease of (agent, name) for {@code owner} for {@code leaseMillis} from now on the
   * database's clock: free, expired or already ours. Returns null on success, else the server
   * that holds it.
   */
  public String acquire(String agent, String name, String owner, long leaseMillis) {
    // the holder may let go between our statements (its row deleted after our INSERT collided
    // with it): then the lease is free, and the next round takes it
    for (int round = 1; ; round++) {
      String holder = tryAcquire(agent, name, owner, leaseMillis, round < 3);
      if (!FREED.equals(holder)) {
        return holder;
      }
    }
  }

  /** Marks a lease released while {@link #tryAcquire} ran: try again. */
  private static final String FREED = "\0freed";

  private String tryAcquire(String agent, String name, String owner, long leaseMillis,
      boolean mayRetry) {
    int updated = tx.inTransaction(em -> em.createNativeQuery(
            "UPDATE sf_agent_owner SET owner = ?1, lease_until = " + dbNowPlus("?2")
                + " WHERE agent = ?3 AND name = ?4 AND (owner = ?1 OR lease_until < "
                + WorkflowStore.DB_NOW + ")")
        .setParameter(1, owner).setParameter(2, leaseMillis).setParameter(3, agent)
        .setParameter(4, name).executeUpdate());
    if (updated > 0) {
      return null;
    }
    // held by a live owner (the common case of a refusal): say who, without an INSERT that
    // would fail and have the JPA provider log the duplicate key as an ERROR each time
    Object live = holderOf(agent, name);
    if (live != null) {
      return live.toString();
    }
    try {
      tx.inTransaction(em -> em.createNativeQuery(
              "INSERT INTO sf_agent_owner (agent, name, owner, lease_until) VALUES (?1, ?2, ?3, "
                  + dbNowPlus("?4") + ")")
          .setParameter(1, agent).setParameter(2, name).setParameter(3, owner)
          .setParameter(4, leaseMillis).executeUpdate());
      return null;
    } catch (PersistenceException | IllegalStateException raced) {
      // a live row (the update found it held), or another server inserted it just now
      Object holder = holderOf(agent, name);
      if (holder == null) {
        if (mayRetry) {
          return FREED; // released between our INSERT and this read
        }
        throw raced; // not a conflict after all: a real failure
      }
      return holder.toString();
    }
  }

  /**
   * When the lease on an instance runs out, in the database's milliseconds, or null when nobody
   * holds it: a holder that renews moves it forward (it is alive).
   */
  public Long leaseUntil(String agent, String name) {
    Object v = tx.inTransaction(em -> em.createNativeQuery(
            "SELECT lease_until FROM sf_agent_owner WHERE agent = ?1 AND name = ?2")
        .setParameter(1, agent).setParameter(2, name).getResultList().stream()
        .findFirst().orElse(null));
    return v == null ? null : ((Number) v).longValue();
  }

  private Object holderOf(String agent, String name) {
    return tx.inTransaction(em -> em.createNativeQuery(
            "SELECT owner FROM sf_agent_owner WHERE agent = ?1 AND name = ?2")
        .setParameter(1, agent).setParameter(2, name).getResultList().stream()
        .findFirst().orElse(null));
  }

  /** Extends every lease {@code owner} holds to {@code leaseMillis} from now; returns how many. */
  public int renewAll(String owner, long leaseMillis) {
    return tx.inTransaction(em -> em.createNativeQuery(
            "UPDATE sf_agent_owner SET lease_until = " + dbNowPlus("?1") + " WHERE owner = ?2")
        .setParameter(1, leaseMillis).setParameter(2, owner).executeUpdate());
  }

  /** The instances whose lease {@code owner} holds, as "agent NUL name" keys. */
  public java.util.Set<String> held(String owner) {
    return tx.inTransaction(em -> {
      java.util.Set<String> out = new java.util.HashSet<>();
      for (Object row : em.createNativeQuery(
              "SELECT agent, name FROM sf_agent_owner WHERE owner = ?1")
          .setParameter(1, owner).getResultList()) {
        Object[] r = (Object[]) row;
        out.add(r[0] + "\u0000" + r[1]);
      }
      return out;
    });
  }

  /** Gives up the lease of one instance (it left memory). */
  public void release(String agent, String name, String owner) {
    tx.inTransaction(em -> em.createNativeQuery(
            "DELETE FROM sf_agent_owner WHERE agent = ?1 AND name = ?2 AND owner = ?3")
        .setParameter(1, agent).setParameter(2, name).setParameter(3, owner).executeUpdate());
  }

  /** Gives up every lease of {@code owner} (it stops). */
  public void releaseAll(String owner) {
    tx.inTransaction(em -> em.createNativeQuery("DELETE FROM sf_agent_owner WHERE owner = ?1")
        .setParameter(1, owner).executeUpdate());
  }
}
