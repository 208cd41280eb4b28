package dev.steadfast.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Step config defaults and merging, back-off formulas and human durations. */
class StepConfigTest {

  @Test
  void aPartialConfigKeepsTheOtherDefaults() {
    StepConfig merged = StepConfig.retries(3).withDelay(Duration.ofMillis(500))
        .over(StepConfig.DEFAULTS);
    assertEquals(3, merged.limit());
    assertEquals(Duration.ofMillis(500), merged.delay());
    assertEquals(Backoff.EXPONENTIAL, merged.backoff());
    assertEquals(Duration.ofMinutes(10), merged.timeout());
    assertEquals(4, merged.maxAttempts());
  }

  @Test
  void emptyConfigIsTheDocumentedDefaults() {
    StepConfig d = StepConfig.EMPTY.over(StepConfig.DEFAULTS);
    assertEquals(5, d.limit());
    assertEquals(Duration.ofSeconds(10), d.delay());
    assertEquals(6, d.maxAttempts());
    assertEquals(Integer.MAX_VALUE, StepConfig.retries(StepConfig.UNLIMITED).maxAttempts());
  }

  @Test
  void backoffFormulas() {
    Duration d = Duration.ofSeconds(10);
    assertEquals(Duration.ofSeconds(10), Backoff.CONSTANT.delayAfter(3, d));
    assertEquals(Duration.ofSeconds(30), Backoff.LINEAR.delayAfter(3, d));
    assertEquals(Duration.ofSeconds(10), Backoff.EXPONENTIAL.delayAfter(1, d));
    assertEquals(Duration.ofSeconds(40), Backoff.EXPONENTIAL.delayAfter(3, d));
    assertEquals(Long.MAX_VALUE, Backoff.EXPONENTIAL.delayAfter(200, d).toMillis());
    assertThrows(IllegalArgumentException.class, () -> Backoff.LINEAR.delayAfter(0, d));
  }

  @Test
  void invalidConfigsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> StepConfig.retries(-2));
    assertThrows(IllegalArgumentException.class, () -> StepConfig.EMPTY.withTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> Backoff.fromWireName("random"));
  }

  @Test
  void humanDurations() {
    assertEquals(Duration.ofSeconds(10), Durations.parse("10 seconds"));
    assertEquals(Duration.ofMinutes(1), Durations.parse("1 minute"));
    assertEquals(Duration.ofHours(26), Durations.parse("26 hours"));
    assertEquals(Duration.ofDays(14), Durations.parse("2 weeks"));
    assertEquals(Duration.ofDays(30), Durations.parse("1 month"));
    assertEquals(Duration.ofDays(365), Durations.parse("1 year"));
    assertEquals(Duration.ofMillis(1500), Durations.parse("1500"));
    assertEquals(Duration.ofMillis(250), Durations.parse("250 ms"));
    assertEquals("26 hours", Durations.format(Duration.ofHours(26)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Durations.parse("soon"));
    assertEquals(true, e.getMessage().contains("second, minute, hour, day, week, month or year"));
  }
}
