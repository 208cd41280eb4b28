package dev.steadfast.workflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.store.InstanceRecord;
import dev.steadfast.workflow.testing.VirtualClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 7: a workflow's cron schedules start one instance per tick, across two servers
 * on one database and after a restart. A virtual clock moves time; the servers check for ticks
 * at their poll interval (200 ms).
 */
class CronScheduleTest {
  DataSource newDatabase() {
    return Databases.h2();
  }

  private final VirtualClock clock = new VirtualClock(Instant.parse("2030-01-01T12:03:30Z"));
  private final List<EngineHarness> servers = new ArrayList<>();
  private DataSource db;

  @BeforeEach
  void database() {
    PolicyWorkflows.reset();
    db = newDatabase();
  }

  @AfterEach
  void stop() {
    servers.forEach(EngineHarness::close);
  }

  private EngineHarness server(String id, WorkflowPolicy policy) {
    WorkflowDefinition ticker = WorkflowDefinition.of(PolicyWorkflows.TickerWorkflow.class,
        PolicyWorkflows.TickerWorkflow::new);
    EngineHarness h = new EngineHarness(db, EngineHarness.fastConfig(id)).withClock(clock)
        .register(policy == null ? ticker : ticker.withPolicy(policy)).start();
    servers.add(h);
    return h;
  }

  private List<InstanceRecord> instances(EngineHarness h) {
    return h.engine.listInstances("ticker", null, null, null, true, null, null, 100);
  }

  /** Waits until the workflow has {@code n} instances, then a while longer to see no more come. */
  private List<InstanceRecord> awaitInstances(EngineHarness h, int n) {
    long deadline = System.currentTimeMillis() + 20_000;
    while (instances(h).size() < n) {
      assertTrue(System.currentTimeMillis() < deadline, "expected " + n + " instances, have "
          + instances(h).size());
      EngineHarness.sleep(20);
    }
    EngineHarness.sleep(800); // four checks of each server
    List<InstanceRecord> all = instances(h);
    assertEquals(n, all.size(), "a tick started more than one instance: "
        + all.stream().map(InstanceRecord::instanceId).toList());
    return all;
  }

  @Test
  void eachTickStartsOneInstanceAcrossServersAndRestarts() {
    EngineHarness a = server("cron-a", null);
    EngineHarness b = server("cron-b", null);
    EngineHarness.sleep(600);
    assertEquals(0, instances(a).size(), "no tick before 12:05");

    clock.advanceTo(Instant.parse("2030-01-01T12:05:00.100Z").toEpochMilli());
    InstanceRecord first = awaitInstances(a, 1).get(0);
    String expectedId = CronScheduler.instanceId("*/5 * * * *",
        Instant.parse("2030-01-01T12:05:00Z").toEpochMilli());
    assertEquals(expectedId, first.instanceId());
    assertTrue(first.instanceId().endsWith("-203001011205"), first.instanceId());
    WorkflowInstance i = b.engine.client("ticker").get(first.instanceId());
    assertEquals("*/5 * * * * at 2030-01-01T12:05:00Z",
        a.await(i, Status.COMPLETE).output(String.class));
    assertEquals("cron", a.engine.view("ticker", first.instanceId()).instance().triggerSource());

    // both servers stop and one comes back within the same minute: the tick is not repeated
    a.close();
    b.close();
    servers.clear();
    EngineHarness c = server("cron-c", null);
    awaitInstances(c, 1);

    clock.advanceTo(Instant.parse("2030-01-01T12:10:00.100Z").toEpochMilli());
    List<InstanceRecord> two = awaitInstances(c, 2);
    assertTrue(two.stream().anyMatch(r -> r.instanceId().endsWith("-203001011210")),
        two.toString());
    assertEquals(1, PolicyWorkflows.ran(first.instanceId(), "tick"));
  }

  @Test
  void configuredSchedulesReplaceTheAnnotationsAndTicksMissedWhileDownStartOnce() {
    EngineHarness a = server("cron-a", WorkflowPolicy.NONE.withSchedules(List.of("0 * * * *")));
    clock.advanceTo(Instant.parse("2030-01-01T12:05:00.100Z").toEpochMilli());
    EngineHarness.sleep(600);
    assertEquals(0, instances(a).size(), "the annotation's */5 schedule was replaced");
    a.close();
    servers.clear();

    // no server runs over three hourly ticks; the first server back starts one instance
    clock.advanceTo(Instant.parse("2030-01-01T15:30:00Z").toEpochMilli());
    EngineHarness b = server("cron-b", WorkflowPolicy.NONE.withSchedules(List.of("0 * * * *")));
    List<InstanceRecord> one = awaitInstances(b, 1);
    assertTrue(one.get(0).instanceId().endsWith("-203001011300"), one.get(0).instanceId());
    clock.advanceTo(Instant.parse("2030-01-01T16:00:00.100Z").toEpochMilli());
    awaitInstances(b, 2);
  }
}
