package dev.steadfast.agent;

import java.time.Instant;
import java.util.Map;

/**
 * A workflow instance an agent started with {@code runWorkflow}, as its tracking row shows it.
 *
 * @param workflowId the instance id
 * @param workflowName the name or binding the agent started it with
 * @param status the instance's live status (queued, running, waiting, paused, waitingForPause,
 *     complete, errored, terminated), or the last one reported if the instance was deleted
 * @param metadata what the agent attached at start (never passed to the workflow)
 * @param errorName the reported or recorded error's name, or null
 * @param errorMessage its message, or null
 * @param completedAt when it finished (reported complete, or the instance ended), or null
 */
public record TrackedWorkflow(
    String workflowId,
    String workflowName,
    String status,
    Map<String, Object> metadata,
    String errorName,
    String errorMessage,
    Instant createdAt,
    Instant updatedAt,
    Instant completedAt) {}
