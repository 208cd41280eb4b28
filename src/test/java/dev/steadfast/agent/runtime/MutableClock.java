package dev.steadfast.agent.runtime;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** The system clock plus an offset a test can move forward (to age a running mark). */
final class MutableClock extends Clock {
  private final AtomicLong offset = new AtomicLong();

  void advance(long millis) {
    offset.addAndGet(millis);
  }

  @Override
  public long millis() {
    return System.currentTimeMillis() + offset.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }
}
