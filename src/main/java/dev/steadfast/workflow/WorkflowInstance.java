package dev.steadfast.workflow;

import java.util.function.Predicate;

/** A handle on one instance: read its status and control its lifecycle. */
public interface WorkflowInstance {
  String id();

  /** The current status, error and output. */
  InstanceStatus status();

  /**
   * Pauses a queued, running or waiting instance: the step in flight finishes and its result is
   * kept, no new step starts; a sleep or wait is interrupted. Pausing a paused instance does
   * nothing.
   *
   * @throws WorkflowException ILLEGAL_STATE if the instance is complete, errored or terminated
   */
  void pause();

  /** Resumes a paused instance (or cancels a pending pause); otherwise does nothing. */
  void resume();

  /**
   * Stops the instance for good.
   *
   * @throws WorkflowException ILLEGAL_STATE if it is complete, errored or terminated already
   */
  void terminate();

  /**
   * Stops the instance for good; with {@code rollback}, first runs the compensations of its
   * steps that have an outcome (see {@link Rollback}), in reverse order of their start: the step
   * in flight finishes first, no new step starts, the status is {@code rollingBack} until the
   * compensations ended, then {@code terminated} with the outcome in {@link
   * InstanceStatus#rollback()}.
   *
   * @throws WorkflowException ILLEGAL_STATE if it is complete, errored or terminated already, or
   *     (with rollback) rolling back already
   */
  default void terminate(boolean rollback) {
    if (rollback) {
      throw new UnsupportedOperationException(getClass().getName() + " runs no compensations");
    }
    terminate();
  }

  /** Erases every step result and runs the instance again with the same id and params. */
  void restart();

  /** Erases results from {@code from} onward and runs again, keeping earlier results. */
  void restart(RestartFrom from);

  /**
   * Sends an event; buffered until the instance waits for its type.
   *
   * @param type {@code ^[a-zA-Z0-9_][a-zA-Z0-9-_]*$}, at most 100 characters
   * @param payload any JSON-serializable value (at most 1 MiB as JSON), may be null
   * @throws WorkflowException ILLEGAL_STATE if the instance is complete, errored or terminated
   */
  void sendEvent(String type, Object payload);

  /**
   * The instance's events after {@code cursor} (0 for its whole history), then live ones, until
   * the terminal event. Many subscribers of one instance share one reading of the journal.
   *
   * @param cursor the {@link InstanceEvent#eventId()} of the last event already seen, or 0
   * @param filter which events to deliver (null: all)
   */
  default InstanceEventStream subscribe(long cursor, Predicate<InstanceEvent> filter) {
    throw new UnsupportedOperationException("this WorkflowInstance has no event stream");
  }
}
