package dev.steadfast.workflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.InstanceEvent;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.TestWorkflows.Item;
import dev.steadfast.workflow.engine.TestWorkflows.Order;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The instance event stream on PostgreSQL, and of an instance another server runs. */
class PostgresEventStreamTest extends EventStreamContract {
  @Override
  DataSource newDatabase() {
    return Databases.postgres();
  }

  @Test
  void anInstanceRunningOnAnotherServerIsStreamedFromTheJournal() throws Exception {
    try (EngineHarness b = harness("server-b").start()) {
      // created and run by server b; server a has no such instance in memory
      WorkflowInstance onB = b.engine.<Order>client("orders").create(id(),
          new Order("remote", List.of(new Item("r", 1, 2.0))));
      WorkflowInstance fromA = h.engine.<Order>client("orders").get(onB.id());
      List<InstanceEvent> seen = drain(fromA.subscribe(0, null));
      assertEquals("workflow_completed", seen.get(seen.size() - 1).type());
      assertEquals(history(drain(onB.subscribe(0, null))), history(seen));
      assertTrue(types(seen).contains("sleep_completed(cool down)"), types(seen).toString());
      // b ran the steps before the sleep (a may take the rest after it: both poll for due work)
      assertTrue(b.events.stream().anyMatch(e -> e.instanceId().equals(onB.id())
          && e.type() == EngineEvent.Type.STEP_START && e.step().startsWith("load items")));
      assertTrue(h.events.stream().noneMatch(e -> e.instanceId().equals(onB.id())
          && e.step() != null && e.step().startsWith("load items")),
          "server a did not run the first step");
    }
  }
}
