package dev.steadfast.workflow;

import java.time.Duration;
import java.util.Objects;

/**
 * Retry and timeout settings of one step, and whether its output is sensitive. Every field may be
 * left out (null): a partial config is merged field by field over the defaults ({@code retries
 * {limit 5, delay 10 s, backoff exponential}, timeout 10 minutes}), so {@code
 * StepConfig.retries(3).delay("500 ms")} keeps the exponential backoff. Immutable; the {@code
 * with...} methods return copies.
 *
 * @param limit retries after the first attempt ({@code -1}: unlimited); attempts = 1 + limit
 * @param delay base delay between attempts
 * @param backoff how the delay grows
 * @param timeout bound of each attempt
 * @param delayFunction computes each retry's delay from the attempt and its error instead of
 *     {@code delay} and {@code backoff} (see {@link #delay(RetryDelay)}); not recorded, so the
 *     step's code passes it on every run
 * @param sensitiveOutput the step's output is shown as {@code "[REDACTED]"} outside the workflow (see
 *     {@link #sensitive()})
 */
public record StepConfig(Integer limit, Duration delay, Backoff backoff, Duration timeout,
    RetryDelay delayFunction, Boolean sensitiveOutput) {

  /** Unlimited retries. */
  public static final int UNLIMITED = -1;

  /** The documented defaults. */
  public static final StepConfig DEFAULTS =
      new StepConfig(5, Duration.ofSeconds(10), Backoff.EXPONENTIAL, Duration.ofMinutes(10));

  /** Nothing set: every field comes from the defaults. */
  public static final StepConfig EMPTY = new StepConfig(null, null, null, null);

  /** The retry and timeout fields only (no delay function, not sensitive). */
  public StepConfig(Integer limit, Duration delay, Backoff backoff, Duration timeout) {
    this(limit, delay, backoff, timeout, null, null);
  }

  public StepConfig {
    if (limit != null && limit < UNLIMITED) {
      throw new IllegalArgumentException("retry limit must be >= 0 (or -1 for unlimited), got " + limit);
    }
    if (delay != null && delay.isNegative()) {
      throw new IllegalArgumentException("retry delay must not be negative, got " + delay);
    }
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
  }

  /** A config with only the retry limit set. */
  public static StepConfig retries(int limit) {
    return EMPTY.withLimit(limit);
  }

  /**
   * A config with only the sensitive flag set: the step's output is recorded (a replay returns
   * it) but shown as {@code "[REDACTED]"} in the REST API, wrangler, the dashboard, the event
   * stream and logs. Chain it with {@link #asSensitive()}: {@code
   * StepConfig.retries(3).asSensitive()}.
   */
  public static StepConfig sensitive() {
    return EMPTY.asSensitive();
  }

  /** A copy whose output is sensitive (see {@link #sensitive()}). */
  public StepConfig asSensitive() {
    return new StepConfig(limit, delay, backoff, timeout, delayFunction, true);
  }

  /** Whether the output is sensitive; false when unset. */
  public boolean isSensitive() {
    return Boolean.TRUE.equals(sensitiveOutput);
  }

  /** A config with only the timeout set. */
  public static StepConfig timeout(String duration) {
    return EMPTY.withTimeout(Durations.parse(duration));
  }

  public StepConfig withLimit(int newLimit) {
    return new StepConfig(newLimit, delay, backoff, timeout, delayFunction, sensitiveOutput);
  }

  public StepConfig delay(String duration) {
    return withDelay(Durations.parse(duration));
  }

  public StepConfig withDelay(Duration newDelay) {
    return new StepConfig(limit, newDelay, backoff, timeout, delayFunction, sensitiveOutput);
  }

  /**
   * Computes each retry's delay from the failed attempt and its error, e.g. {@code
   * StepConfig.retries(5).delay((attempt, error) -> error instanceof RateLimited r ?
   * r.retryAfter() : Duration.ofSeconds(attempt))}; it replaces {@code delay} and {@code
   * backoff}. Called once per failure; the delay it returned is recorded, so a replay does not
   * call it again. A function that throws, or returns null, a negative delay or more than 365
   * days, fails the step for good with {@code RetryDelayError}.
   */
  public StepConfig delay(RetryDelay function) {
    return withDelayFunction(Objects.requireNonNull(function, "function"));
  }

  public StepConfig withDelayFunction(RetryDelay function) {
    return new StepConfig(limit, delay, backoff, timeout, function, sensitiveOutput);
  }

  public StepConfig backoff(Backoff newBackoff) {
    return new StepConfig(limit, delay, newBackoff, timeout, delayFunction, sensitiveOutput);
  }

  public StepConfig withTimeout(Duration newTimeout) {
    return new StepConfig(limit, delay, backoff, newTimeout, delayFunction, sensitiveOutput);
  }

  public StepConfig withTimeout(String duration) {
    return withTimeout(Durations.parse(duration));
  }

  /** Fields of {@code this} where set, otherwise those of {@code base}. */
  public StepConfig over(StepConfig base) {
    Objects.requireNonNull(base, "base");
    return new StepConfig(
        limit != null ? limit : base.limit,
        delay != null ? delay : base.delay,
        backoff != null ? backoff : base.backoff,
        timeout != null ? timeout : base.timeout,
        delayFunction != null ? delayFunction : base.delayFunction,
        sensitiveOutput != null ? sensitiveOutput : base.sensitiveOutput);
  }

  /** Total attempts allowed, {@link Integer#MAX_VALUE} when unlimited. Needs a complete config. */
  public int maxAttempts() {
    return limit == UNLIMITED ? Integer.MAX_VALUE : limit + 1;
  }
}
