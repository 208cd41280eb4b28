package dev.steadfast.workflow.store;

/**
 * An immutable copy of a step row.
 *
 * @param key kind prefix + name + occurrence, unique within a generation ({@code do:fetch-1})
 * @param seq order in which the step was first recorded
 * @param kind {@code do}, {@code sleep} or {@code waitForEvent}
 * @param state see {@link StepState}
 * @param dueAt the next attempt (retrying), the wake-up (sleeping) or the timeout (waiting)
 */
public record StepRecord(
    String key,
    int seq,
    String kind,
    String name,
    int occurrence,
    String state,
    String config,
    String result,
    String resultType,
    String errorName,
    String errorMessage,
    int attempts,
    int failures,
    long startedAt,
    Long endedAt,
    Long dueAt,
    String eventType,
    Long eventAt) {

  public StepRecord withState(String newState) {
    return new StepRecord(key, seq, kind, name, occurrence, newState, config, result, resultType,
        errorName, errorMessage, attempts, failures, startedAt, endedAt, dueAt, eventType, eventAt);
  }

  public boolean isFinished() {
    return StepState.isFinished(state);
  }
}
