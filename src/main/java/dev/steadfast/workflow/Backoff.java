package dev.steadfast.workflow;

import java.time.Duration;

/** How the delay between attempts of a step grows. */
public enum Backoff {
  /** Every retry waits the configured delay. */
  CONSTANT,
  /** Retry n waits {@code delay * n}. */
  LINEAR,
  /** Retry n waits {@code delay * 2^(n-1)}. */
  EXPONENTIAL;

  /**
   * The delay after failed attempt {@code attempt} (1-based).
   *
   * @throws IllegalArgumentException if attempt is below 1
   */
  public Duration delayAfter(int attempt, Duration base) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1, got " + attempt);
    }
    long ms = base.toMillis();
    long result =
        switch (this) {
          case CONSTANT -> ms;
          case LINEAR -> saturatedMultiply(ms, attempt);
          case EXPONENTIAL -> attempt - 1 >= 62 ? Long.MAX_VALUE : saturatedMultiply(ms, 1L << (attempt - 1));
        };
    return Duration.ofMillis(result);
  }

  private static long saturatedMultiply(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
      return lo;
    }
    return Long.MAX_VALUE;
  }

  /** The wire name: {@code constant}, {@code linear}, {@code exponential}. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Parses a wire name, case-insensitively. */
  public static Backoff fromWireName(String name) {
    for (Backoff b : values()) {
      if (b.name().equalsIgnoreCase(name)) {
        return b;
      }
    }
    throw new IllegalArgumentException(
        "unknown backoff '" + name + "': use constant, linear or exponential");
  }
}
