package dev.steadfast.workflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.steadfast.workflow.BatchOptions;
import dev.steadfast.workflow.Retention;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowClient.NewInstance;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.testing.VirtualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 10 item 8: an instance's own retention, then its workflow's, then the server's default
 * (30 days here) decide when the sweep deletes it; success and error have their own periods. A
 * virtual clock moves time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetentionTest {
  DataSource newDatabase() {
    return Databases.h2();
  }

  private final VirtualClock clock = new VirtualClock(Instant.parse("2030-01-01T00:00:00Z"));
  private EngineHarness h;

  @BeforeAll
  void start() {
    h = new EngineHarness(newDatabase(), EngineHarness.fastConfig("keeper")).withClock(clock)
        .register(PolicyWorkflows.OutcomeWorkflow.class, PolicyWorkflows.OutcomeWorkflow::new)
        .register(PolicyWorkflows.ShortLivedWorkflow.class,
            PolicyWorkflows.ShortLivedWorkflow::new)
        .register(PolicyWorkflows.NappingWorkflow.class, PolicyWorkflows.NappingWorkflow::new)
        .start();
  }

  @AfterAll
  void stop() {
    h.close();
  }

  private void passes(Duration d) {
    clock.advanceTo(clock.millis() + d.toMillis());
    h.engine.sweepRetention();
  }

  private boolean exists(String workflow, String id) {
    try {
      h.engine.client(workflow).get(id);
      return true;
    } catch (WorkflowException e) {
      assertEquals(WorkflowException.Reason.INSTANCE_NOT_FOUND, e.reason());
      return false;
    }
  }

  @Test
  void anInstancesOwnRetentionComesBeforeTheServersDefault() {
    WorkflowClient<Boolean> c = h.engine.client("outcome");
    h.await(c.create("own-1h", false, Retention.success("1 hour")), Status.COMPLETE);
    h.await(c.create("default", false), Status.COMPLETE);
    passes(Duration.ofHours(2));
    assertEquals(false, exists("outcome", "own-1h"));
    assertEquals(true, exists("outcome", "default"), "the server keeps others 30 days");
    passes(Duration.ofDays(31));
    assertEquals(false, exists("outcome", "default"));
  }

  @Test
  void theErrorPeriodAppliesToErroredAndTerminatedInstances() {
    WorkflowClient<Boolean> c = h.engine.client("outcome");
    Retention r = Retention.success("3 days").error("1 hour");
    h.await(c.create("failed", true, r), Status.ERRORED);
    h.await(c.create("fine", false, r), Status.COMPLETE);
    // sleeps for good on this frozen clock until terminated
    WorkflowInstance napping = h.engine.<Integer>client("napping").create("stopped", 60_000,
        Retention.DEFAULT.error("1 hour"));
    h.await(napping, Status.WAITING);
    napping.terminate();
    passes(Duration.ofHours(2));
    assertEquals(false, exists("outcome", "failed"));
    assertEquals(false, exists("napping", "stopped"));
    assertEquals(true, exists("outcome", "fine"));
    passes(Duration.ofDays(3));
    assertEquals(false, exists("outcome", "fine"));
  }

  @Test
  void theWorkflowsRetentionAppliesUnlessTheInstanceHasItsOwn() {
    WorkflowClient<Object> c = h.engine.client("short-lived");
    h.await(c.create("workflows", null), Status.COMPLETE);
    List<WorkflowInstance> batch = c.createBatch(BatchOptions.of(List.of(
        new NewInstance<>("own", null, Retention.success("1 day"))))).created();
    h.await(batch.get(0), Status.COMPLETE);
    passes(Duration.ofSeconds(1));
    assertEquals(false, exists("short-lived", "workflows"), "the workflow's 200 ms");
    assertEquals(true, exists("short-lived", "own"), "the instance's own day");
    passes(Duration.ofDays(2));
    assertEquals(false, exists("short-lived", "own"));
  }

  @Test
  void aRetentionMustBeAPositiveDuration() {
    assertThrows(WorkflowException.class, () -> Retention.success("soon"));
    assertThrows(WorkflowException.class, () -> Retention.success(Duration.ZERO));
  }
}
