package dev.steadfast.workflow;

/**
 * A step failed for good: its retries are exhausted (or its attempt timed out on the last try).
 * Thrown into the workflow code, the first time and on every replay alike; uncaught, the instance
 * ends as errored with {@link #errorName()} and {@link #getMessage()} of the last attempt's error.
 */
public class StepFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String stepName;
  private final String errorName;

  public StepFailedException(String stepName, String errorName, String message, Throwable cause) {
    super(message, cause);
    this.stepName = stepName;
    this.errorName = errorName;
  }

  /** The step's name with its occurrence suffix, e.g. {@code fetch-1}. */
  public String stepName() {
    return stepName;
  }

  /** The name of the last attempt's error (the simple class name of the exception it threw). */
  public String errorName() {
    return errorName;
  }
}
