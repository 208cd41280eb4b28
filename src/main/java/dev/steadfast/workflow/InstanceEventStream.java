package dev.steadfast.workflow;

import java.time.Duration;

/**
 * The events of one instance from {@link WorkflowInstance#subscribe}: first its recorded history
 * after the cursor, then live events; it ends after a terminal event (completed, errored,
 * terminated). Close it when done to stop the delivery.
 */
public interface InstanceEventStream extends AutoCloseable {
  /**
   * The next event, waiting up to {@code timeout}; null when none came in time or the stream has
   * ended (see {@link #isEnded()}).
   */
  InstanceEvent next(Duration timeout) throws InterruptedException;

  /** True once the terminal event has been taken (or the instance was deleted, or closed). */
  boolean isEnded();

  @Override
  void close();
}
