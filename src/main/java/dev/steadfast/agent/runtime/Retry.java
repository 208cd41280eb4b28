package dev.steadfast.agent.runtime;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Retries of schedule and queue callbacks: exponential back-off with jitter, so many failing
 * callbacks do not retry in lock-step.
 */
public record Retry(int attempts, long baseMillis, long capMillis) {
  public static final Retry DEFAULT = new Retry(3, 100, 3_000);

  /** The pause before attempt {@code n} (2, 3, ...). */
  public long delayBefore(int n) {
    long exp = Math.min(capMillis, baseMillis << Math.min(20, n - 2));
    return exp / 2 + ThreadLocalRandom.current().nextLong(exp / 2 + 1);
  }

  /** Runs {@code work} up to {@code attempts} times; rethrows the last failure. */
  public void run(Runnable work) {
    RuntimeException last = null;
    for (int n = 1; n <= attempts; n++) {
      if (n > 1) {
        try {
          Thread.sleep(delayBefore(n));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw last;
        }
      }
      try {
        work.run();
        return;
      } catch (RuntimeException e) {
        last = e;
      }
    }
    throw last;
  }
}
