package dev.steadfast.workflow.testing;

import dev.steadfast.workflow.engine.TestHooks.StepMock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a test changes about one instance (or about every instance created later): set it up
 * before the instance reaches the step in question. Steps are matched by name, any occurrence.
 */
public final class Introspector {
  private volatile boolean sleepsDisabled;
  private volatile boolean retryDelaysDisabled;
  private final Map<String, Object> stepResults = new ConcurrentHashMap<>();
  private final Map<String, ErrorMock> stepErrors = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> stepTimeouts = new ConcurrentHashMap<>();
  private final Map<String, Optional<Object>> events = new ConcurrentHashMap<>();
  private final Map<String, Boolean> eventTimeouts = new ConcurrentHashMap<>();
  private final Map<String, ErrorMock> rollbackErrors = new ConcurrentHashMap<>();

  private record ErrorMock(RuntimeException error, AtomicInteger remaining) {}

  /** Every sleep ends at once. */
  public Introspector disableSleeps() {
    sleepsDisabled = true;
    return this;
  }

  /** Failed attempts are retried without waiting out the back-off. */
  public Introspector disableRetryDelays() {
    retryDelaysDisabled = true;
    return this;
  }

  /** The step returns {@code value} without running. */
  public Introspector mockStepResult(String stepName, Object value) {
    stepResults.put(stepName, value == null ? NULL : value);
    return this;
  }

  /** The step's next {@code times} attempts throw {@code error} (then it runs for real). */
  public Introspector mockStepError(String stepName, RuntimeException error, int times) {
    stepErrors.put(stepName, new ErrorMock(error, new AtomicInteger(times)));
    return this;
  }

  /** Every attempt of the step throws {@code error}. */
  public Introspector mockStepError(String stepName, RuntimeException error) {
    return mockStepError(stepName, error, Integer.MAX_VALUE);
  }

  /**
   * The next {@code times} attempts of the compensation of step {@code stepName} (see {@link
   * dev.steadfast.workflow.Rollback}) throw {@code error} instead of running it; with more
   * failures than its retries allow, the rollback fails there.
   */
  public Introspector mockRollbackError(String stepName, RuntimeException error, int times) {
    rollbackErrors.put(stepName, new ErrorMock(error, new AtomicInteger(times)));
    return this;
  }

  /** Every attempt of the compensation of step {@code stepName} throws {@code error}. */
  public Introspector mockRollbackError(String stepName, RuntimeException error) {
    return mockRollbackError(stepName, error, Integer.MAX_VALUE);
  }

  /** The step's next {@code times} attempts time out. */
  public Introspector forceStepTimeout(String stepName, int times) {
    stepTimeouts.put(stepName, new AtomicInteger(times));
    return this;
  }

  /** A waitForEvent of {@code type} receives {@code payload} at once. */
  public Introspector mockEvent(String type, Object payload) {
    events.put(type, Optional.ofNullable(payload));
    return this;
  }

  /** The waitForEvent named {@code waitName} times out at once. */
  public Introspector forceEventTimeout(String waitName) {
    eventTimeouts.put(waitName, true);
    return this;
  }

  private static final Object NULL = new Object();

  Optional<StepMock> step(String name) {
    AtomicInteger timeouts = stepTimeouts.get(name);
    if (timeouts != null && timeouts.getAndDecrement() > 0) {
      return Optional.of(new StepMock(null, null, true));
    }
    ErrorMock e = stepErrors.get(name);
    if (e != null && e.remaining().getAndDecrement() > 0) {
      return Optional.of(new StepMock(null, e.error(), false));
    }
    if (stepResults.containsKey(name)) {
      Object v = stepResults.get(name);
      return Optional.of(new StepMock(v == NULL ? null : v, null, false));
    }
    return Optional.empty();
  }

  Optional<StepMock> rollback(String name) {
    ErrorMock e = rollbackErrors.get(name);
    if (e != null && e.remaining().getAndDecrement() > 0) {
      return Optional.of(new StepMock(null, e.error(), false));
    }
    return Optional.empty();
  }

  boolean sleepsDisabled() {
    return sleepsDisabled;
  }

  boolean retryDelaysDisabled() {
    return retryDelaysDisabled;
  }

  Optional<Optional<Object>> event(String type) {
    return Optional.ofNullable(events.get(type));
  }

  boolean eventTimeout(String waitName) {
    return eventTimeouts.getOrDefault(waitName, false);
  }
}
