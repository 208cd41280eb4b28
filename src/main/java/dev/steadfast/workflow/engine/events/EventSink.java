package dev.steadfast.workflow.engine.events;

import dev.steadfast.workflow.InstanceEvent;

/**
 * Where the hub delivers one subscriber's events. Called on engine threads, one call at a time
 * per subscriber: return quickly (queue or write asynchronously).
 */
public interface EventSink {
  /** Takes an event; false when the subscriber is gone (the hub then drops it). */
  boolean accept(InstanceEvent event);

  /**
   * Called now and then while nothing happens, so a connection whose client has left is noticed
   * (and a proxy keeps it open); false when the subscriber is gone.
   */
  default boolean heartbeat() {
    return true;
  }

  /**
   * The stream is over: after the terminal event, or with {@code error} set when the instance was
   * deleted or could not be read.
   */
  void end(RuntimeException error);
}
