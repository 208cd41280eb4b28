package dev.steadfast.workflow.store;

/** The states a step row can be in. */
public final class StepState {
  /** A do step whose attempt is in flight (only recorded for attempts that outlive a threshold). */
  public static final String RUNNING = "running";
  /** A do step that failed an attempt and waits for the next one (at due_at). */
  public static final String RETRYING = "retrying";
  /** A do step that returned a result. */
  public static final String SUCCEEDED = "succeeded";
  /** A do step whose error is final (retries exhausted or non-retryable). */
  public static final String FAILED = "failed";
  /** A sleep; finished once due_at has passed. */
  public static final String SLEEPING = "sleeping";
  /** A sleep whose time has passed. */
  public static final String SLEPT = "slept";
  /** A waitForEvent with no event yet; times out at due_at. */
  public static final String WAITING = "waiting";
  /** A waitForEvent that received its event. */
  public static final String RECEIVED = "received";
  /** A waitForEvent that timed out. */
  public static final String TIMED_OUT = "timedOut";

  private StepState() {}

  public static boolean isFinished(String state) {
    return SUCCEEDED.equals(state) || FAILED.equals(state) || SLEPT.equals(state) || RECEIVED.equals(state)
        || TIMED_OUT.equals(state);
  }
}
