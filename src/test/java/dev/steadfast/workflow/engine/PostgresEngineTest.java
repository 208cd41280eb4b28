package dev.steadfast.workflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The engine semantics on a real PostgreSQL, plus two engines sharing it. */
class PostgresEngineTest extends EngineContract {
  @Override
  DataSource newDatabase() {
    return Databases.postgres();
  }

  @Test
  void twoServersOnOneDatabaseNeverRunOneInstanceAtOnce() {
    // leases long enough that a loaded machine cannot starve a heartbeat past one: this test is
    // about claims, not about takeover (which re-runs a step by design)
    h.close();
    h = new EngineHarness(db, EngineHarness.fastConfig("server-a").withLease(Duration.ofSeconds(15)));
    h.registry.register(WorkflowDefinition.of(TestWorkflows.ExclusiveWorkflow.class,
        TestWorkflows.ExclusiveWorkflow::new));
    h.start();
    EngineHarness b = new EngineHarness(db,
        EngineHarness.fastConfig("server-b").withLease(Duration.ofSeconds(15)));
    b.registry.register(WorkflowDefinition.of(TestWorkflows.ExclusiveWorkflow.class,
        TestWorkflows.ExclusiveWorkflow::new));
    b.start();
    try {
      WorkflowClient<Integer> ca = h.engine.client("exclusive");
      WorkflowClient<Integer> cb = b.engine.client("exclusive");
      List<WorkflowInstance> all = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        all.add((i % 2 == 0 ? ca : cb).create(id(), 4));
      }
      for (WorkflowInstance i : all) {
        assertEquals(4, h.await(i, Status.COMPLETE, Duration.ofSeconds(60)).output(Integer.class));
        for (int s = 0; s < 4; s++) {
          assertEquals(1, TestWorkflows.ran(i.id(), "work " + s), i.id() + " work " + s);
        }
      }
      assertTrue(all.stream().noneMatch(i -> TestWorkflows.OVERLAPS.contains(i.id())),
          "an instance ran on two servers at once");
      // both servers did some of the work
      long byA = h.events.stream().filter(e -> e.type() == EngineEvent.Type.STEP_SUCCESS).count();
      long byB = b.events.stream().filter(e -> e.type() == EngineEvent.Type.STEP_SUCCESS).count();
      assertTrue(byA > 0 && byB > 0, "steps ran on both servers: a=" + byA + " b=" + byB);
    } finally {
      b.close();
    }
  }
}
