package dev.steadfast.workflow;

/**
 * A step failed for good: its retries are exhausted (or its attempt timed out on the last try),
 * or its result cannot be recorded (over 1 MiB, not JSON). Thrown into the workflow code, the
 * first time and on every replay alike; uncaught, the instance ends as errored with {@link
 * #errorName()} and {@link #getMessage()} of the last attempt's error.
 *
 * <p>Its {@link #getCause()} is the exception the last attempt threw: the object itself when the
 * step failed in this run, and on replay a new exception of the same class with the same message
 * when that class is public and has a public {@code (String)} or no-argument constructor (else
 * null). So {@code catch (StepFailedException e) { if (e.getCause() instanceof Declined) … }}, or
 * {@link #isCausedBy}, takes the same branch the first time and on every replay. The stack trace
 * is not restored. See docs/workflow-semantics.md.
 */
public class StepFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String stepName;
  private final String errorName;
  private final String errorClass;

  public StepFailedException(String stepName, String errorName, String message, Throwable cause) {
    this(stepName, errorName, message, cause, cause == null ? null : cause.getClass().getName());
  }

  /**
   * @param errorClass the class name of the last attempt's exception, known even when it could
   *     not be rebuilt as {@code cause}; null when the failure was not an exception of the step's
   *     code (lost attempts)
   */
  public StepFailedException(String stepName, String errorName, String message, Throwable cause,
      String errorClass) {
    super(message, cause);
    this.stepName = stepName;
    this.errorName = errorName;
    this.errorClass = errorClass;
  }

  /** The fully qualified class name of the last attempt's exception, or null. */
  public String errorClass() {
    return errorClass;
  }

  /**
   * Whether the last attempt threw a {@code type} (or a subclass of it), by its recorded class:
   * true on replay even when the exception could not be rebuilt as the cause.
   */
  public boolean isCausedBy(Class<? extends Throwable> type) {
    if (getCause() != null) {
      return type.isInstance(getCause());
    }
    return type.getName().equals(errorClass);
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
