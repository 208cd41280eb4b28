package dev.steadfast.workflow;

/**
 * A step returned a result over 1 MiB as JSON, which cannot be recorded. The step fails for good
 * at once (the same code would return as much again, so it is not retried): {@code run} gets a
 * {@link StepFailedException} named {@code StepResultTooLarge} with this as its cause, and may
 * catch it (return less, or store the data elsewhere and return a reference).
 */
public class StepResultTooLargeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StepResultTooLargeException(String message) {
    super(message);
  }
}
