package dev.steadfast.workflow;

import java.time.Duration;
import java.util.Objects;

/**
 * Retry and timeout settings of one step. Every field may be left out (null): a partial config
 * is merged field by field over the defaults ({@code retries {limit 5, delay 10 s, backoff
 * exponential}, timeout 10 minutes}), so {@code StepConfig.retries(3).delay("500 ms")} keeps the
 * exponential backoff. Immutable; the {@code with...} methods return copies.
 *
 * @param limit retries after the first attempt ({@code -1}: unlimited); attempts = 1 + limit
 * @param delay base delay between attempts
 * @param backoff how the delay grows
 * @param timeout bound of each attempt
 */
public record StepConfig(Integer limit, Duration delay, Backoff backoff, Duration timeout) {

  /** Unlimited retries. */
  public static final int UNLIMITED = -1;

  /** The documented defaults. */
  public static final StepConfig DEFAULTS =
      new StepConfig(5, Duration.ofSeconds(10), Backoff.EXPONENTIAL, Duration.ofMinutes(10));

  /** Nothing set: every field comes from the defaults. */
  public static final StepConfig EMPTY = new StepConfig(null, null, null, null);

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

  /** A config with only the timeout set. */
  public static StepConfig timeout(String duration) {
    return EMPTY.withTimeout(Durations.parse(duration));
  }

  public StepConfig withLimit(int newLimit) {
    return new StepConfig(newLimit, delay, backoff, timeout);
  }

  public StepConfig delay(String duration) {
    return withDelay(Durations.parse(duration));
  }

  public StepConfig withDelay(Duration newDelay) {
    return new StepConfig(limit, newDelay, backoff, timeout);
  }

  public StepConfig backoff(Backoff newBackoff) {
    return new StepConfig(limit, delay, newBackoff, timeout);
  }

  public StepConfig withTimeout(Duration newTimeout) {
    return new StepConfig(limit, delay, backoff, newTimeout);
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
        timeout != null ? timeout : base.timeout);
  }

  /** Total attempts allowed, {@link Integer#MAX_VALUE} when unlimited. Needs a complete config. */
  public int maxAttempts() {
    return limit == UNLIMITED ? Integer.MAX_VALUE : limit + 1;
  }
}
