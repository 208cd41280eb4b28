package dev.steadfast.workflow;

/**
 * Thrown from a step to fail it at once, without further attempts. It reaches the workflow code
 * (which may catch it and go on); uncaught, it fails the instance with this error's message. On
 * replay the same error (same message) is thrown again.
 */
public class NonRetryableError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String errorName;

  public NonRetryableError(String message) {
    this(message, "NonRetryableError");
  }

  /** With a name of your own, shown as the instance error's name. */
  public NonRetryableError(String message, String errorName) {
    super(message);
    this.errorName = errorName == null || errorName.isBlank() ? "NonRetryableError" : errorName;
  }

  public String errorName() {
    return errorName;
  }
}
