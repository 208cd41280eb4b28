package dev.steadfast.workflow.engine;

/** An attempt ran longer than its step's timeout. Retried like any other failure. */
public class StepTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StepTimeoutException(String message) {
    super(message);
  }
}
