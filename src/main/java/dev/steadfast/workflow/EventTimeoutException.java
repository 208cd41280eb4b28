package dev.steadfast.workflow;

/**
 * {@link WorkflowStep#waitForEvent} reached its timeout with no event. Catchable; recorded, so a
 * replay throws it again.
 */
public class EventTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EventTimeoutException(String message) {
    super(message);
  }
}
