package dev.steadfast.workflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.TestWorkflows.ApprovalParams;
import dev.steadfast.workflow.engine.TestWorkflows.FlakyParams;
import dev.steadfast.workflow.engine.TestWorkflows.Item;
import dev.steadfast.workflow.engine.TestWorkflows.Order;
import dev.steadfast.workflow.engine.metrics.Scrape;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's Prometheus metrics after a known workload (subclasses choose the database). */
abstract class MetricsContract {
  private EngineHarness h;
  private DataSource db;

  abstract DataSource newDatabase();

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
    if (db instanceof org.h2.jdbcx.JdbcConnectionPool p) {
      p.dispose();
    }
  }

  private static String id() {
    return "m-" + UUID.randomUUID();
  }

  @Test
  void valuesAfterAKnownWorkload() throws Exception {
    db = newDatabase();
    h = new EngineHarness(db, EngineHarness.fastConfig("metrics-a"))
        .register(TestWorkflows.OrderWorkflow.class, TestWorkflows.OrderWorkflow::new)
        .register(TestWorkflows.FlakyWorkflow.class, TestWorkflows.FlakyWorkflow::new)
        .register(TestWorkflows.ApprovalWorkflow.class, TestWorkflows.ApprovalWorkflow::new)
        .start();
    // flaky 1: two failed attempts, the third succeeds (3 attempts, 2 retries)
    WorkflowInstance recovered = h.engine.<FlakyParams>client("flaky").create(id(),
        new FlakyParams(2, 5, 10, "constant", false));
    // flaky 2: both attempts fail (1 retry), the step fails, a fallback step succeeds
    WorkflowInstance fallback = h.engine.<FlakyParams>client("flaky").create(id(),
        new FlakyParams(9, 1, 10, "constant", true));
    // flaky 3: fails for good, the instance errors
    WorkflowInstance errored = h.engine.<FlakyParams>client("flaky").create(id(),
        new FlakyParams(9, 0, 10, "constant", false));
    // orders: three steps and a sleep
    WorkflowInstance order = h.engine.<Order>client("orders").create(id(),
        new Order("ada", List.of(new Item("a", 2, 1.5))));
    // approval: one step, then waits an hour
    WorkflowInstance waiting = h.engine.<ApprovalParams>client("approval").create(id(),
        new ApprovalParams(3_600_000));
    h.await(recovered, Status.COMPLETE);
    h.await(fallback, Status.COMPLETE);
    h.await(errored, Status.ERRORED);
    h.await(order, Status.COMPLETE);
    h.await(waiting, Status.WAITING);

    Scrape s = new Scrape(h.engine.metrics().scrape());
    String flaky = "{workflow=\"flaky\"}";
    assertEquals(4, s.value("steadfast_steps_started_total" + flaky)); // call ×3, fallback
    assertEquals(2, s.value("steadfast_steps_completed_total" + flaky));
    assertEquals(2, s.value("steadfast_steps_failed_total" + flaky));
    assertEquals(7, s.value("steadfast_attempts_started_total" + flaky)); // 3 + (2 + 1) + 1
    assertEquals(5, s.value("steadfast_attempts_failed_total" + flaky)); // 2 + 2 + 1
    assertEquals(3, s.value("steadfast_attempts_retried_total" + flaky)); // 2 + 1
    assertEquals(3, s.value("steadfast_steps_completed_total{workflow=\"orders\"}"));
    assertEquals(1, s.value("steadfast_sleeps_started_total{workflow=\"orders\"}"));
    assertEquals(1, s.value("steadfast_steps_completed_total{workflow=\"approval\"}"));
    // each attempt timed once, by outcome; buckets are cumulative and end with the count
    assertEquals(2, s.value("steadfast_step_attempt_duration_seconds_count"
        + "{workflow=\"flaky\",outcome=\"ok\"}"));
    assertEquals(5, s.value("steadfast_step_attempt_duration_seconds_count"
        + "{workflow=\"flaky\",outcome=\"error\"}"));
    assertEquals(5, s.value("steadfast_step_attempt_duration_seconds_bucket"
        + "{workflow=\"flaky\",outcome=\"error\",le=\"+Inf\"}"));
    assertTrue(s.value("steadfast_step_attempt_duration_seconds_bucket"
        + "{workflow=\"flaky\",outcome=\"error\",le=\"0.001\"}") <= s.value(
        "steadfast_step_attempt_duration_seconds_bucket"
            + "{workflow=\"flaky\",outcome=\"error\",le=\"300\"}"));
    // the database's view: by workflow and status, zeros included
    assertEquals(2, s.value("steadfast_instances{workflow=\"flaky\",status=\"complete\"}"));
    assertEquals(1, s.value("steadfast_instances{workflow=\"flaky\",status=\"errored\"}"));
    assertEquals(0, s.value("steadfast_instances{workflow=\"flaky\",status=\"running\"}"));
    assertEquals(1, s.value("steadfast_instances{workflow=\"orders\",status=\"complete\"}"));
    assertEquals(1, s.value("steadfast_instances{workflow=\"approval\",status=\"waiting\"}"));
    assertEquals(0, s.value("steadfast_due_backlog"));
    assertNull(s.get("steadfast_claims_taken_over_total{workflow=\"orders\"}"));
    // wake-ups: the turns after the 3 retries and the sleep (a new instance runs at once, claimed
    // by the server that created it); every write went through a journal batch
    assertEquals(4, s.value("steadfast_wakeup_lateness_seconds_count"));
    double writes = s.value("steadfast_journal_batch_writes_sum");
    double batches = s.value("steadfast_journal_batch_writes_count");
    assertTrue(batches > 0 && writes >= batches, writes + " writes in " + batches + " batches");
    assertEquals(batches, s.value("steadfast_journal_commit_seconds_count"));
    assertEquals(1, s.value("steadfast_database_up"));

    // a turn that never ended (the state a crashed server leaves): the next claim takes it over
    // and replays the journal; the instance completes again without running a step
    long now = System.currentTimeMillis();
    sql("UPDATE sf_instance SET status = 'running', due_at = ?, owner = 'dead-server',"
        + " lease_until = 0, ended_at = NULL WHERE instance_id = ?", now, order.id());
    h.engine.pollNow();
    h.await(order, Status.COMPLETE);
    s = new Scrape(h.engine.metrics().scrape());
    assertEquals(1, s.value("steadfast_claims_taken_over_total{workflow=\"orders\"}"));
    assertEquals(3, s.value("steadfast_steps_completed_total{workflow=\"orders\"}"));

    // the backlog: what is due and held by no live claim, on any server; counted from the
    // database, so a stopped engine's scrape still tells it
    h.engine.stop(1000);
    sql("UPDATE sf_instance SET due_at = ? WHERE instance_id = ?", now - 5_000, waiting.id());
    s = new Scrape(h.engine.metrics().scrape());
    assertEquals(1, s.value("steadfast_due_backlog"));
    assertTrue(s.value("steadfast_due_backlog_oldest_seconds") >= 5);
    // counters are this server's since it started; instance counts come from the tables
    assertEquals(1, s.value("steadfast_instances{workflow=\"approval\",status=\"waiting\"}"));
  }

  private void sql(String sql, Object... params) throws Exception {
    try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        p.setObject(i + 1, params[i]);
      }
      assertEquals(1, p.executeUpdate(), sql);
    }
  }
}
