package dev.steadfast.workflow;

import java.time.Duration;

/**
 * The delay before the next attempt of a failed step, computed from the failure: see {@link
 * StepConfig#delay(RetryDelay)}. Called once per failed attempt that will be retried, on the
 * thread that ran the attempt; the engine records the result (the step's next due time), so a
 * replay never calls it again for that failure. Keep it free of side effects.
 */
@FunctionalInterface
public interface RetryDelay {
  /**
   * @param attempt the attempt that just failed (1 for the first)
   * @param error what it threw (a {@code StepTimeoutException} when it timed out)
   * @return how long to wait before the next attempt: 0 to 365 days
   */
  Duration delay(int attempt, Throwable error);
}
