package dev.steadfast.workflow.engine;

import java.time.Instant;

/**
 * Something that happened to an instance or a step: the observability events of Cloudflare
 * Workflows' metrics, delivered to {@link EngineListener}s.
 *
 * @param step the step name with its occurrence suffix, null for instance events
 * @param attempt the attempt number for attempt events, otherwise 0
 * @param errorName set for failure events
 */
public record EngineEvent(
    Type type,
    String workflow,
    String instanceId,
    String step,
    int attempt,
    Instant timestamp,
    String errorName,
    String errorMessage) {

  public enum Type {
    WORKFLOW_QUEUED,
    WORKFLOW_START,
    WORKFLOW_PAUSED,
    WORKFLOW_RESUMED,
    WORKFLOW_SUCCESS,
    WORKFLOW_FAILURE,
    WORKFLOW_TERMINATED,
    STEP_START,
    STEP_SUCCESS,
    STEP_FAILURE,
    SLEEP_START,
    SLEEP_COMPLETE,
    ATTEMPT_START,
    ATTEMPT_SUCCESS,
    ATTEMPT_FAILURE,
    /** The instance started running compensations (status rollingBack). */
    WORKFLOW_ROLLING_BACK,
    /** A compensation started; {@code step} is the compensated step ({@code charge-1}). */
    ROLLBACK_START,
    ROLLBACK_SUCCESS,
    /** A compensation failed for good: the rollback stops with it. */
    ROLLBACK_FAILURE,
    ROLLBACK_ATTEMPT_START,
    ROLLBACK_ATTEMPT_SUCCESS,
    ROLLBACK_ATTEMPT_FAILURE
  }
}
