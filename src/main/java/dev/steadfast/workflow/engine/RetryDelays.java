package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.StepConfig;
import java.time.Duration;

/**
 * The delay before the next attempt of a failed step: from the step's delay function when it has
 * one ({@link StepConfig#delay(dev.steadfast.workflow.RetryDelay)}), else from its delay and
 * backoff. Computed once, when the attempt fails; the turn records it as the step's due time, so
 * a replay reads it instead of computing it again.
 */
final class RetryDelays {
  /** The error of a step whose delay function failed or returned an unusable delay. */
  static final String RETRY_DELAY_ERROR = "RetryDelayError";

  private RetryDelays() {}

  /** The delay function failed: the step fails for good with this message. */
  static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Milliseconds to wait after failed attempt {@code attempt} that threw {@code error}. */
  static long millis(StepConfig config, String stepName, int attempt, Throwable error)
      throws Failure {
    if (config.delayFunction() == null) {
      return config.backoff().delayAfter(attempt, config.delay()).toMillis();
    }
    Duration d;
    try {
      d = config.delayFunction().delay(attempt, error);
    } catch (RuntimeException | LinkageError e) {
      throw new Failure("the retry delay function of step '" + stepName + "' threw " + e, e);
    }
    if (d == null || d.isNegative() || d.compareTo(Limits.MAX_SLEEP) > 0) {
      throw new Failure("the retry delay function of step '" + stepName + "' returned " + d
          + " after attempt " + attempt + "; a delay is 0 to 365 days", null);
    }
    return d.toMillis();
  }
}
