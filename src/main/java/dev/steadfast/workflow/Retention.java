package dev.steadfast.workflow;

import java.time.Duration;

/**
 * How long a finished instance is kept before the server deletes it with its journal: one
 * period once it completed ({@link #success}), another once it errored or was terminated ({@link
 * #error}). An unset period falls back to the workflow's ({@code @Workflow(successRetention =
 * ...)}) and then to the server's default ({@code steadfast.retention}).
 *
 * <pre>{@code
 * orders.create("order-1", order, Retention.success("1 day").error("30 days"));
 * }</pre>
 *
 * @param success how long a complete instance is kept; null for the default
 * @param error how long an errored or terminated instance is kept; null for the default
 */
public record Retention(Duration success, Duration error) {
  /** Neither period set: the workflow's or the server's apply. */
  public static final Retention DEFAULT = new Retention(null, null);

  public Retention {
    check(success, "success retention");
    check(error, "error retention");
  }

  /** Keeps a complete instance this long, e.g. {@code "1 day"} ({@link Durations} forms). */
  public static Retention success(String period) {
    return new Retention(parse(period, "success retention"), null);
  }

  /** Keeps a complete instance this long. */
  public static Retention success(Duration period) {
    return new Retention(period, null);
  }

  /** This retention, keeping an errored or terminated instance {@code period} long. */
  public Retention error(String period) {
    return new Retention(success, parse(period, "error retention"));
  }

  /** This retention, keeping an errored or terminated instance {@code period} long. */
  public Retention error(Duration period) {
    return new Retention(success, period);
  }

  /** This retention, keeping a complete instance {@code period} long. */
  public Retention withSuccess(String period) {
    return new Retention(parse(period, "success retention"), error);
  }

  private static Duration parse(String period, String what) {
    try {
      return Durations.parse(period);
    } catch (IllegalArgumentException e) {
      throw new WorkflowException(WorkflowException.Reason.INVALID, what + ": " + e.getMessage());
    }
  }

  private static void check(Duration d, String what) {
    if (d != null && (d.isNegative() || d.isZero())) {
      throw new WorkflowException(WorkflowException.Reason.INVALID,
          what + " must be positive, got " + d);
    }
  }

  /** This retention with the periods it leaves unset taken from {@code fallback}. */
  public Retention orElse(Retention fallback) {
    if (fallback == null) {
      return this;
    }
    return new Retention(success != null ? success : fallback.success,
        error != null ? error : fallback.error);
  }
}
