package dev.steadfast.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.Retention;
import dev.steadfast.workflow.engine.WorkflowPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 10 items 6 to 8: configuration keys override a workflow's annotation. */
class WorkflowSettingsTest {
  private static final WorkflowPolicy ANNOTATED = new WorkflowPolicy(3, List.of("*/5 * * * *"),
      Retention.success("1 day"));

  @Test
  void keysOverrideTheAnnotationOneByOne() {
    WorkflowPolicy p = new Settings(new MapConfig()
        .with("steadfast.workflow.reports.concurrency.limit", "10")
        .with("steadfast.workflow.reports.schedules", "0 * * * *; 0 9 * * MON-FRI")
        .with("steadfast.workflow.reports.retention.error", "90 days"))
        .workflowPolicy("reports", ANNOTATED);
    assertEquals(10, p.concurrencyLimit());
    assertEquals(List.of("0 * * * *", "0 9 * * MON-FRI"), p.schedules());
    assertEquals(Duration.ofDays(1), p.retention().success(), "kept from the annotation");
    assertEquals(Duration.ofDays(90), p.retention().error());
    assertEquals(ANNOTATED, new Settings(new MapConfig()).workflowPolicy("reports", ANNOTATED));
  }

  @Test
  void noneSwitchesTheSchedulesOffAndZeroTheLimit() {
    WorkflowPolicy p = new Settings(new MapConfig()
        .with("steadfast.workflow.reports.schedules", "none")
        .with("steadfast.workflow.reports.concurrency.limit", "0"))
        .workflowPolicy("reports", ANNOTATED);
    assertEquals(List.of(), p.schedules());
    assertEquals(false, p.limited());
  }

  @Test
  void anInvalidValueNamesItsKey() {
    for (String[] bad : new String[][] {{"schedules", "*/5 * *"}, {"concurrency.limit", "-1"},
        {"concurrency.limit", "many"}, {"retention.success", "soon"}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new Settings(new MapConfig().with("steadfast.workflow.reports." + bad[0], bad[1]))
              .workflowPolicy("reports", ANNOTATED));
      assertTrue(e.getMessage().contains("steadfast.workflow.reports."), e.getMessage());
    }
  }
}
