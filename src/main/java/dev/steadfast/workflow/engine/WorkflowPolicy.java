package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.Durations;
import dev.steadfast.workflow.Retention;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.WorkflowException.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What a workflow's deployment says about all its instances, from its {@link Workflow}
 * annotation and the configuration keys that override it: how many may run at once, the cron
 * schedules that start instances, and how long finished ones are kept.
 *
 * @param concurrencyLimit instances running at once across all servers; 0 for no limit
 * @param schedules cron expressions, each checked, no duplicates
 * @param retention the workflow's retention (either period may be null: the server's default)
 */
public record WorkflowPolicy(int concurrencyLimit, List<String> schedules, Retention retention) {
  /** No limit, no schedule, the server's retention. */
  public static final WorkflowPolicy NONE = new WorkflowPolicy(0, List.of(), Retention.DEFAULT);

  /** The longest cron expression stored (sf_schedule.cron). */
  static final int MAX_CRON = 200;

  public WorkflowPolicy {
    if (concurrencyLimit < 0) {
      throw new WorkflowException(Reason.INVALID,
          "concurrency limit must be 0 (none) or positive, got " + concurrencyLimit);
    }
    LinkedHashSet<String> crons = new LinkedHashSet<>();
    for (String c : schedules == null ? List.<String>of() : schedules) {
      String cron = c == null ? "" : c.trim().replaceAll("\\s+", " ");
      if (cron.length() > MAX_CRON) {
        throw new WorkflowException(Reason.INVALID, "schedule '" + cron + "' is longer than "
            + MAX_CRON + " characters");
      }
      try {
        CronExpression.parse(cron);
      } catch (IllegalArgumentException e) {
        throw new WorkflowException(Reason.INVALID, "schedule '" + cron + "': " + e.getMessage());
      }
      crons.add(cron);
    }
    schedules = List.copyOf(crons);
    retention = retention == null ? Retention.DEFAULT : retention;
  }

  /** The policy an annotation declares. */
  static WorkflowPolicy of(Workflow w) {
    if (w == null) {
      return NONE;
    }
    return new WorkflowPolicy(w.concurrencyLimit(), List.of(w.schedules()),
        new Retention(duration(w.successRetention(), "successRetention"),
            duration(w.errorRetention(), "errorRetention")));
  }

  public boolean limited() {
    return concurrencyLimit > 0;
  }

  public WorkflowPolicy withConcurrencyLimit(int limit) {
    return new WorkflowPolicy(limit, schedules, retention);
  }

  public WorkflowPolicy withSchedules(List<String> crons) {
    return new WorkflowPolicy(concurrencyLimit, new ArrayList<>(crons), retention);
  }

  public WorkflowPolicy withRetention(Retention r) {
    return new WorkflowPolicy(concurrencyLimit, schedules, r);
  }

  private static Duration duration(String text, String what) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new WorkflowException(Reason.INVALID, what + ": " + e.getMessage());
    }
  }
}
