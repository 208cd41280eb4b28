package dev.steadfast.workflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.BatchOptions;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.store.InstanceEntity;
import dev.steadfast.workflow.store.WorkflowStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 10 item 6: a workflow's concurrency limit holds across two servers on one database;
 * instances beyond it are queued, not refused; sleeping instances do not count. Two servers for
 * the class; each test uses instances of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConcurrencyLimitTest {
  DataSource newDatabase() {
    return Databases.h2();
  }

  private DataSource db;
  private EngineHarness a;
  private EngineHarness b;

  private EngineHarness server(String id) {
    return new EngineHarness(db, EngineHarness.fastConfig(id))
        .register(PolicyWorkflows.GatedWorkflow.class, PolicyWorkflows.GatedWorkflow::new)
        .register(PolicyWorkflows.NappingWorkflow.class, PolicyWorkflows.NappingWorkflow::new)
        .start();
  }

  @BeforeAll
  void start() {
    db = newDatabase();
    a = server("limit-a");
    b = server("limit-b");
  }

  @BeforeEach
  void reset() {
    PolicyWorkflows.reset();
  }

  @AfterAll
  void stop() {
    b.close();
    a.close();
  }

  @Test
  void theLimitHoldsAcrossTwoServersAndTheRestAreQueued() {
    WorkflowClient<Integer> ca = a.engine.client("gated");
    WorkflowClient<Integer> cb = b.engine.client("gated");
    List<WorkflowInstance> all = new ArrayList<>(
        ca.createBatch(BatchOptions.count(5, 700)).created());
    all.addAll(cb.createBatch(BatchOptions.count(3, 700)).created());
    assertEquals(8, all.size(), "none is refused");
    long queued = all.stream().filter(i -> i.status().status() == Status.QUEUED).count();
    assertTrue(queued >= 4, "instances beyond the limit wait queued; queued now: " + queued);
    for (WorkflowInstance i : all) {
      assertEquals(i.id(), a.await(i, Status.COMPLETE, Duration.ofSeconds(30))
          .output(String.class));
    }
    assertTrue(PolicyWorkflows.MAX_RUNNING.get() <= 2,
        "more than 2 instances ran at once: " + PolicyWorkflows.MAX_RUNNING.get());
  }

  /**
   * Two servers claiming instances of one workflow at the same moment: the second waits for the
   * first's claim to commit and then counts it, so together they start no more than the limit.
   * (Without the lock both would count the instances running before either committed.)
   */
  @Test
  void twoClaimsAtOnceTakeTurnsAndTogetherStayWithinTheLimit() throws Exception {
    WorkflowDefinition contested = WorkflowDefinition.of("contested", "contested",
        PolicyWorkflows.GatedWorkflow.class, PolicyWorkflows.GatedWorkflow::new)
        .withPolicy(WorkflowPolicy.NONE.withConcurrencyLimit(2));
    WorkflowRegistry registry = new WorkflowRegistry();
    registry.register(contested);
    ConcurrencyGate gate = new ConcurrencyGate(registry);
    Transactor tx = new LocalTransactor(a.emf, db);
    long now = System.currentTimeMillis();
    // queued instances no server runs (not deployed on a or b, no due time)
    List<String> uids = tx.inTransaction(em -> {
      a.engine.store().registerWorkflow(em, "contested", "x", "contested", "v", now);
      List<String> out = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        InstanceEntity e = a.engine.newInstance(contested, "c-" + i, "1", now, null);
        e.setDueAt(null);
        a.engine.store().execute(em, List.of(WorkflowStore.insertInstanceStmt(e, null)));
        out.add(e.getUid());
      }
      return out;
    });
    CountDownLatch admitted = new CountDownLatch(1);
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      Future<List<String>> first = other.submit(() -> tx.inTransaction(em -> {
        List<String> ok = gate.admit(em, uids, "server-1");
        for (String uid : ok) { // the claim and the turn's start, as Dispatcher#claim writes them
          em.createNativeQuery("UPDATE sf_instance SET status = 'running', owner = 'server-1',"
                  + " lease_until = " + WorkflowStore.DB_NOW + " + 60000 WHERE uid = ?")
              .setParameter(1, uid).executeUpdate();
        }
        admitted.countDown();
        EngineHarness.sleep(700); // still uncommitted while the other server claims
        return ok;
      }));
      assertTrue(admitted.await(20, TimeUnit.SECONDS));
      long t0 = System.nanoTime();
      List<String> second = tx.inTransaction(em -> gate.admit(em, uids, "server-2"));
      long waitedMillis = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(uids.subList(0, 2), first.get(20, TimeUnit.SECONDS));
      assertEquals(List.of(), second, "the second server started instances past the limit");
      assertTrue(waitedMillis >= 300, "the second claim did not wait for the first: "
          + waitedMillis + " ms");
      // once one of them ends its turn, one more may start
      tx.inTransaction(em -> em.createNativeQuery("UPDATE sf_instance SET status = 'complete',"
          + " owner = NULL, lease_until = NULL WHERE uid = ?").setParameter(1, uids.get(0))
          .executeUpdate());
      assertEquals(List.of(uids.get(2)), tx.inTransaction(em -> gate.admit(em,
          uids.subList(2, 6), "server-2")));
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void sleepingInstancesLeaveTheirPlaceToQueuedOnes() {
    WorkflowClient<Integer> c = a.engine.client("napping");
    List<WorkflowInstance> all = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      // a nap long enough for the next claim even on a busy machine (1.5 s was not, once)
      all.add(c.create("n-" + i, 5_000));
    }
    for (WorkflowInstance i : all) {
      a.await(i, Status.COMPLETE, Duration.ofSeconds(30));
    }
    // limit 1, yet every instance ran its first step while the first one slept
    List<String> trace = PolicyWorkflows.TRACE;
    int firstAfter = trace.indexOf(trace.stream().filter(s -> s.endsWith("/after")).findFirst()
        .orElseThrow());
    long beforesFirst = trace.subList(0, firstAfter).stream().filter(s -> s.endsWith("/before"))
        .count();
    assertEquals(3, beforesFirst, "a sleeping instance held the only place: " + trace);
  }
}
