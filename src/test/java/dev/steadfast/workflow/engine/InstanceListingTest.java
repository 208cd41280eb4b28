package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.WorkflowInstance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowClient.NewInstance;
import dev.steadfast.workflow.store.InstanceRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Item 17 of issue 12: listing reads only what it shows, and deleting a workflow with many
 * instances goes in bounded batches (one transaction and one IN list of 500 at a time).
 */
class InstanceListingTest {
  DataSource newDatabase() {
    return Databases.h2();
  }

  private EngineHarness h;

  @BeforeEach
  void start() {
    h = new EngineHarness(newDatabase(), EngineHarness.fastConfig("lister"))
        .register(TestWorkflows.ApprovalWorkflow.class, TestWorkflows.ApprovalWorkflow::new)
        .start();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void aPageReadsNoParamsAndDeletingAWorkflowGoesInBatches() {
    WorkflowClient<TestWorkflows.ApprovalParams> c = h.engine.client("approval");
    int total = 1_101; // three delete batches: 500, 500, 101
    for (int from = 0; from < total; from += 100) {
      List<NewInstance<TestWorkflows.ApprovalParams>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(total, from + 100); i++) {
        batch.add(new NewInstance<>("a-" + i, new TestWorkflows.ApprovalParams(3_600_000)));
      }
      c.createBatch(batch);
    }
    List<InstanceRecord> page = h.engine.listInstances("approval", null, null, null, true, null,
        null, 1_000);
    assertEquals(1_000, page.size());
    Set<String> ids = new HashSet<>();
    for (InstanceRecord r : page) {
      ids.add(r.instanceId());
      assertNull(r.params(), "a listing loaded the params of " + r.instanceId());
      assertNull(r.output());
      assertTrue(r.createdAt() > 0 && r.modifiedAt() > 0, r::toString);
    }
    assertEquals(1_000, ids.size());

    assertEquals(total, h.engine.deleteWorkflow("approval"));
  }

  @Test
  void theWorkflowsSummaryCountsPerStatusAndKnowsTheNewestInstance() {
    WorkflowClient<TestWorkflows.ApprovalParams> c = h.engine.client("approval");
    assertNull(h.engine.workflow("approval").triggeredAt(), "no instance yet");
    WorkflowInstance a = c.create("s-1", new TestWorkflows.ApprovalParams(3_600_000));
    WorkflowInstance b = c.create("s-2", new TestWorkflows.ApprovalParams(3_600_000));
    WorkflowInstance last = c.create("s-3", new TestWorkflows.ApprovalParams(3_600_000));
    h.await(a, dev.steadfast.workflow.Status.WAITING);
    h.await(b, dev.steadfast.workflow.Status.WAITING);
    h.await(last, dev.steadfast.workflow.Status.WAITING);
    b.terminate();
    WorkflowEngine.WorkflowInfo info = h.engine.workflow("approval");
    assertEquals(java.util.Map.of("waiting", 2L, "terminated", 1L), info.counts());
    long newest = h.engine.listInstances("approval", null, null, null, false, null, null, 1)
        .get(0).createdAt();
    assertEquals(newest, info.triggeredAt());
    assertEquals(info.counts(), h.engine.workflows().stream()
        .filter(w -> w.definition().name().equals("approval")).findFirst().orElseThrow().counts());
  }
}
