package dev.steadfast.workflow.engine;

import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The per-workflow concurrency limit ({@link WorkflowPolicy#concurrencyLimit()}), enforced where
 * instances start: in the claim. Running instances are those in a turn: status {@code running} or
 * {@code waitingForPause} under a live claim (a server holds them and its lease has not run out);
 * queued, sleeping, waiting and paused ones do not count, nor do those of a server that died
 * (they are claimed again, under the limit). An instance beyond the limit is not refused: it
 * stays queued (or waiting, once woken) and is claimed when one of the running ones ends its
 * turn.
 *
 * <p>Across servers on one database: the claim transaction locks the workflow's {@code
 * sf_workflow} row before it counts, so two servers claiming instances of one workflow at once
 * take turns, and the second counts the first one's claims (committed with the lock). Workflows
 * at their limit are left out of the dispatcher's due query, so their queued instances do not
 * make it poll in a loop. Workflows without a limit cost nothing here.
 */
final class ConcurrencyGate {
  /** What counts as running: a turn under a live claim. */
  static final String RUNNING = "status IN ('running', 'waitingForPause') AND owner IS NOT NULL"
      + " AND lease_until >= " + dev.steadfast.workflow.store.WorkflowStore.DB_NOW;

  private final WorkflowRegistry registry;

  ConcurrencyGate(WorkflowRegistry registry) {
    this.registry = registry;
  }

  /** The limits of the deployed workflows that have one, by name. */
  private Map<String, Integer> limits() {
    Map<String, Integer> out = new TreeMap<>(); // name order: locks are taken in this order
    for (WorkflowDefinition d : registry.all()) {
      if (d.policy().limited()) {
        out.put(d.name(), d.policy().concurrencyLimit());
      }
    }
    return out;
  }

  /** Whether instances of this workflow start only through a counting claim. */
  boolean limited(String workflowName) {
    WorkflowDefinition d = registry.find(workflowName);
    return d != null && d.policy().limited();
  }

  /** The limited workflows that have as many running instances as their limit allows now. */
  Set<String> saturated(EntityManager em) {
    Map<String, Integer> limits = limits();
    if (limits.isEmpty()) {
      return Set.of();
    }
    Set<String> out = new HashSet<>();
    running(em, limits.keySet(), List.of(), null).forEach((name, n) -> {
      if (n >= limits.get(name)) {
        out.add(name);
      }
    });
    return out;
  }

  /**
   * In the claim transaction, before the claim: the uids among {@code uids} (in their order) that
   * may start without taking a workflow past its limit. Locks the {@code sf_workflow} row of each
   * limited workflow among them until the transaction ends.
   */
  List<String> admit(EntityManager em, List<String> uids, String self) {
    Map<String, Integer> limits = limits();
    if (limits.isEmpty() || uids.isEmpty()) {
      return uids;
    }
    Map<String, String> workflowOf = workflows(em, uids);
    Map<String, List<String>> byWorkflow = new TreeMap<>();
    for (String uid : uids) {
      String wf = workflowOf.get(uid);
      if (wf != null && limits.containsKey(wf)) {
        byWorkflow.computeIfAbsent(wf, k -> new ArrayList<>()).add(uid);
      }
    }
    if (byWorkflow.isEmpty()) {
      return uids;
    }
    Set<String> refused = new HashSet<>();
    for (Map.Entry<String, List<String>> e : byWorkflow.entrySet()) {
      em.createNativeQuery("SELECT name FROM sf_workflow WHERE name = ? FOR UPDATE")
          .setParameter(1, e.getKey()).getResultList();
      long running = running(em, List.of(e.getKey()), e.getValue(), self)
          .getOrDefault(e.getKey(), 0L);
      long room = Math.max(0, limits.get(e.getKey()) - running);
      List<String> candidates = e.getValue();
      for (int i = (int) Math.min(room, candidates.size()); i < candidates.size(); i++) {
        refused.add(candidates.get(i));
      }
    }
    if (refused.isEmpty()) {
      return uids;
    }
    List<String> out = new ArrayList<>(uids);
    out.removeAll(refused);
    return out;
  }

  /**
   * Running instances per workflow. Candidates that {@code self} itself still holds are not
   * counted: the dispatcher passes only instances it runs no turn of, so such a claim is one it
   * abandoned (a failed write) and is about to take again.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Long> running(EntityManager em, Collection<String> workflows,
      Collection<String> candidates, String self) {
    StringBuilder sql = new StringBuilder("SELECT workflow_name, COUNT(*) FROM sf_instance"
        + " WHERE workflow_name IN (").append(marks(workflows.size())).append(") AND ")
        .append(RUNNING);
    if (!candidates.isEmpty()) {
      sql.append(" AND NOT (owner = ? AND uid IN (").append(marks(candidates.size()))
          .append("))");
    }
    sql.append(" GROUP BY workflow_name");
    var q = em.createNativeQuery(sql.toString());
    int i = 1;
    for (String w : workflows) {
      q.setParameter(i++, w);
    }
    if (!candidates.isEmpty()) {
      q.setParameter(i++, self);
      for (String u : candidates) {
        q.setParameter(i++, u);
      }
    }
    Map<String, Long> out = new HashMap<>();
    for (Object[] row : (List<Object[]>) q.getResultList()) {
      out.put((String) row[0], ((Number) row[1]).longValue());
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> workflows(EntityManager em, List<String> uids) {
    var q = em.createNativeQuery("SELECT uid, workflow_name FROM sf_instance WHERE uid IN ("
        + marks(uids.size()) + ")");
    for (int i = 0; i < uids.size(); i++) {
      q.setParameter(i + 1, uids.get(i));
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Object[] row : (List<Object[]>) q.getResultList()) {
      out.put((String) row[0], (String) row[1]);
    }
    return out;
  }

  private static String marks(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }
}
