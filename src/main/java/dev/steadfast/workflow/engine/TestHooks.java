package dev.steadfast.workflow.engine;

import java.util.Optional;

/**
 * Lets a test decide the outcome of steps, sleeps, retry delays and waits instead of running
 * them for real (the Java counterpart of Cloudflare's {@code introspectWorkflowInstance}). The
 * production engine uses {@link #NONE}.
 */
public interface TestHooks {
  /** Runs everything for real. */
  TestHooks NONE = new TestHooks() {};

  /** What a mocked attempt does: return a value, throw, or time out. */
  record StepMock(Object value, RuntimeException error, boolean timeout) {}

  /** A mocked outcome for this attempt of a do step, or empty to run the callable. */
  default Optional<StepMock> step(String workflow, String instanceId, String name, int count,
      int attempt) {
    return Optional.empty();
  }

  /**
   * A mocked outcome for this attempt of the compensation of do step {@code name} (occurrence
   * {@code count}), or empty to run it.
   */
  default Optional<StepMock> rollback(String workflow, String instanceId, String name, int count,
      int attempt) {
    return Optional.empty();
  }

  /** Whether this sleep ends at once. */
  default boolean skipSleep(String workflow, String instanceId, String name) {
    return false;
  }

  /** Whether retries of this instance follow each other without delay. */
  default boolean skipRetryDelay(String workflow, String instanceId) {
    return false;
  }

  /** A mocked event for this wait ({@code Optional.of(payload)}; the payload may be null). */
  default Optional<Optional<Object>> event(String workflow, String instanceId, String name,
      String type) {
    return Optional.empty();
  }

  /**
   * Called on the lease thread before each lease renewal of server {@code serverId}; a fault
   * test blocks here to stall the heartbeat, as a long GC pause or a starved thread would.
   */
  default void beforeLeaseRenewal(String serverId) throws InterruptedException {}

  /** Whether this wait times out at once. */
  default boolean forceEventTimeout(String workflow, String instanceId, String name) {
    return false;
  }
}
