package dev.steadfast.workflow;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One numbered event of an instance's history, as {@link WorkflowInstance#subscribe} and the REST
 * {@code …/subscribe} stream deliver it. Events are derived from the step journal, so a replay
 * reads the same history the instance details show.
 *
 * <p>{@code eventId} grows with time: the event's time in epoch milliseconds times 1,000 plus
 * its rank among the events of that millisecond; pass the last one seen as the cursor to resume.
 *
 * @param type {@code workflow_queued}, {@code step_started}, … (see {@link #TYPES})
 * @param fields the type's fields: {@code stepName}, {@code count} (its occurrence, 1 the first
 *     time), {@code attempt}, {@code retryDelayMs}, {@code durationMs}, {@code eventType},
 *     {@code timeoutMs}, {@code error} (an {@link ErrorInfo}), {@code rollback} (on the terminal
 *     event of an instance that rolled back: {@code outcome}, and {@code step} and {@code error}
 *     of the compensation that failed); {@code params}, {@code output} and {@code config} hold
 *     JSON text. Compensations ({@code rollback_*}) carry the {@code stepName} and {@code count}
 *     of the step they undo.
 */
public record InstanceEvent(
    String instanceId, long eventId, Instant timestamp, String type, Map<String, Object> fields) {

  /** Every event type, in the order a simple instance goes through them. */
  public static final Set<String> TYPES = Set.of(
      "workflow_queued", "workflow_started", "workflow_running", "workflow_waiting",
      "workflow_waiting_for_pause", "workflow_paused", "workflow_completed", "workflow_errored",
      "workflow_terminated", "step_started", "step_completed", "step_errored", "attempt_started",
      "attempt_completed", "attempt_errored", "sleep_started", "sleep_completed", "wait_started",
      "wait_completed", "wait_timed_out", "workflow_rolling_back", "rollback_started",
      "rollback_completed", "rollback_errored", "rollback_attempt_started",
      "rollback_attempt_completed", "rollback_attempt_errored");

  /** The fields whose values are JSON text rather than plain values. */
  public static final Set<String> JSON_FIELDS = Set.of("params", "output", "config");

  public InstanceEvent {
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** A field's value, or null when the event has none. */
  public Object field(String name) {
    return fields.get(name);
  }

  /** completed, errored or terminated: the last event of a run, after which a stream ends. */
  public boolean isTerminal() {
    return type.equals("workflow_completed") || type.equals("workflow_errored")
        || type.equals("workflow_terminated");
  }
}
