package dev.steadfast.workflow;

import java.time.Instant;

/**
 * The event that started an instance. It is immutable: the same value is passed on every replay.
 *
 * @param payload the params given at creation
 * @param timestamp when the instance was created
 * @param instanceId the instance's id
 */
public record WorkflowEvent<P>(P payload, Instant timestamp, String instanceId) {}
