package dev.steadfast.workflow.engine;

/**
 * Calls the engine back at a point in time (an EJB timer in the server). Only the earliest
 * request matters: a later one may be ignored while an earlier one is pending.
 */
public interface WakeUpTimer {
  /** Arrange for {@code callback} to run at (or soon after) {@code epochMillis}. */
  void wakeAt(long epochMillis, Runnable callback);

  /** Cancels what is pending; no callback runs after this returns. */
  void cancel();
}
