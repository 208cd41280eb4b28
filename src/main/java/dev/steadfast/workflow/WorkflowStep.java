package dev.steadfast.workflow;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The durable operations of a running instance. Each is identified by its name and its occurrence
 * count within the run ({@code "fetch"} the second time is {@code fetch-2}): keep names
 * deterministic (no timestamps or random values in them).
 *
 * <p>Step results are stored as JSON and come back on replay. Without a type argument the result
 * comes back as the class it had when it was first computed (records, strings, numbers, enums);
 * pass a {@link Class} or a {@link TypeRef} when the result is generic ({@code List<Order>}).
 */
public interface WorkflowStep {

  /** Runs {@code callable} as a step with the default config. */
  default <T> T run(String name, Callable<T> callable) {
    return run(name, StepConfig.EMPTY, (TypeRef<T>) null, callable);
  }

  /** Runs {@code callable} as a step; its result comes back as {@code type} on replay. */
  default <T> T run(String name, Class<T> type, Callable<T> callable) {
    return run(name, StepConfig.EMPTY, TypeRef.of(type), callable);
  }

  /** Runs {@code callable} as a step; its result comes back as {@code type} on replay. */
  default <T> T run(String name, TypeRef<T> type, Callable<T> callable) {
    return run(name, StepConfig.EMPTY, type, callable);
  }

  /** Runs {@code callable} as a step with {@code config} merged over the defaults. */
  default <T> T run(String name, StepConfig config, Callable<T> callable) {
    return run(name, config, (TypeRef<T>) null, callable);
  }

  /** Runs {@code callable} as a step with a config and a result type. */
  default <T> T run(String name, StepConfig config, Class<T> type, Callable<T> callable) {
    return run(name, config, TypeRef.of(type), callable);
  }

  /**
   * Runs {@code callable} as a durable step: if this step (name + occurrence) completed before,
   * returns its recorded result without calling it; otherwise calls it, retrying failures as
   * {@code config} says, and records the outcome.
   *
   * @param type the result type for replay, or null for the runtime class of the result
   * @throws NonRetryableError if the callable threw one (never retried)
   * @throws StepFailedException if every attempt failed
   */
  <T> T run(String name, StepConfig config, TypeRef<T> type, Callable<T> callable);

  /** Runs {@code callable} as a step with the default config and a compensation. */
  default <T> T run(String name, Callable<T> callable, Rollback<T> rollback) {
    return run(name, StepConfig.EMPTY, (TypeRef<T>) null, callable, rollback, null);
  }

  /** Runs {@code callable} as a step with a config and a compensation (default config). */
  default <T> T run(String name, StepConfig config, Callable<T> callable, Rollback<T> rollback) {
    return run(name, config, (TypeRef<T>) null, callable, rollback, null);
  }

  /** Runs {@code callable} as a step with a result type and a compensation. */
  default <T> T run(String name, Class<T> type, Callable<T> callable, Rollback<T> rollback) {
    return run(name, StepConfig.EMPTY, TypeRef.of(type), callable, rollback, null);
  }

  /** Runs {@code callable} as a step with a config and a compensation with its own config. */
  default <T> T run(String name, StepConfig config, Callable<T> callable, Rollback<T> rollback,
      StepConfig rollbackConfig) {
    return run(name, config, (TypeRef<T>) null, callable, rollback, rollbackConfig);
  }

  /** As above, with a result type. */
  default <T> T run(String name, StepConfig config, Class<T> type, Callable<T> callable,
      Rollback<T> rollback, StepConfig rollbackConfig) {
    return run(name, config, TypeRef.of(type), callable, rollback, rollbackConfig);
  }

  /**
   * Runs {@code callable} as a durable step (see {@link #run(String, StepConfig, TypeRef,
   * Callable)}) that carries a compensation. Once the step has an outcome (a result, or a
   * failure) its compensation is registered: if the instance then fails for good (an exception
   * leaves {@code run}), or is terminated with rollback, the compensations of the steps that
   * have an outcome run in reverse order of the steps' start, each a durable step of its own
   * (journaled, retried, run once). A failure the workflow code catches triggers nothing.
   *
   * @param rollback the compensation, or null for none
   * @param rollbackConfig retries and timeout of the compensation, merged over the defaults
   *     (null: the defaults)
   */
  default <T> T run(String name, StepConfig config, TypeRef<T> type, Callable<T> callable,
      Rollback<T> rollback, StepConfig rollbackConfig) {
    if (rollback == null) {
      return run(name, config, type, callable);
    }
    throw new UnsupportedOperationException(getClass().getName() + " runs no compensations");
  }

  /** Sleeps for {@code duration} (at most 365 days). Holds no thread while asleep. */
  void sleep(String name, Duration duration);

  /** Sleeps for a human duration such as {@code "10 seconds"} or {@code "3 days"}. */
  default void sleep(String name, String duration) {
    sleep(name, Durations.parse(duration));
  }

  /** Sleeps for {@code millis} milliseconds. */
  default void sleep(String name, long millis) {
    sleep(name, Duration.ofMillis(millis));
  }

  /** Sleeps until {@code instant}; a time in the past returns at once. */
  void sleepUntil(String name, Instant instant);

  /**
   * Waits for an event of {@code type} sent with {@code sendEvent}. Events sent before the wait is
   * reached are buffered per type, first in first out, and each is delivered once.
   *
   * @param timeout 1 second to 365 days (null: 24 hours)
   * @throws EventTimeoutException when the timeout passes with no event
   */
  <T> ReceivedEvent<T> waitForEvent(String name, String type, Duration timeout, TypeRef<T> payloadType);

  /** Waits for an event; its payload comes back as {@code payloadType}. */
  default <T> ReceivedEvent<T> waitForEvent(
      String name, String type, Duration timeout, Class<T> payloadType) {
    return waitForEvent(name, type, timeout, TypeRef.of(payloadType));
  }

  /** Waits for an event with a human timeout such as {@code "1 hour"}; raw JSON payload. */
  default ReceivedEvent<Object> waitForEvent(String name, String type, String timeout) {
    return waitForEvent(name, type, Durations.parse(timeout), Object.class);
  }

  /** Waits up to 24 hours for an event; raw JSON payload. */
  default ReceivedEvent<Object> waitForEvent(String name, String type) {
    return waitForEvent(name, type, null, Object.class);
  }

  /**
   * Runs {@code branches} concurrently (each usually calls {@link #run}) and returns their
   * results in order, like {@code Promise.all}. Give concurrent steps distinct names: the
   * occurrence count of one name is only deterministic when its steps run one after another.
   * When a branch fails, the first failure (in branch order) is thrown after all branches ended.
   */
  <T> List<T> all(List<Callable<T>> branches);

  /**
   * Runs {@code branches} concurrently and returns the outcome of the first to settle, like
   * {@code Promise.race}: its result, or its failure (thrown as a {@link StepFailedException}
   * named {@code name-count}, or the {@link NonRetryableError} itself). The outcome is journaled
   * under {@code name}, so a replay returns it without running any branch. The losers run no
   * further step: each stops at its next step boundary (a step it is in finishes first), and the
   * race returns once they have. Give the steps inside the branches names of their own. See
   * docs/workflow-semantics.md.
   */
  <T> T race(String name, TypeRef<T> type, List<Callable<T>> branches);

  /** {@link #race(String, TypeRef, List)} with the winner's result as the class it had. */
  default <T> T race(String name, List<Callable<T>> branches) {
    return race(name, (TypeRef<T>) null, branches);
  }

  /**
   * Like {@link #race(String, TypeRef, List)}, but the first branch to <em>succeed</em> wins, like
   * {@code Promise.any}; when every branch fails, throws a {@link StepFailedException} named
   * {@code AggregateError} listing their errors. Journaled the same way.
   */
  <T> T any(String name, TypeRef<T> type, List<Callable<T>> branches);

  /** {@link #any(String, TypeRef, List)} with the winner's result as the class it had. */
  default <T> T any(String name, List<Callable<T>> branches) {
    return any(name, (TypeRef<T>) null, branches);
  }
}
