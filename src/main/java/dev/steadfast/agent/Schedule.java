package dev.steadfast.agent;

/**
 * A pending schedule of an agent. {@code time} is the next run in unix seconds; exactly one of
 * {@code delayInSeconds}, {@code cron}, {@code intervalSeconds} is set for the matching type
 * ({@code scheduled} has none).
 */
public record Schedule(
    String id, String callback, Object payload, Type type, long time, Long delayInSeconds,
    String cron, Long intervalSeconds) {
  /** How the schedule was made; the JSON names match the {@code agents} SDK. */
  public enum Type {
    delayed, scheduled, cron, interval
  }
}
