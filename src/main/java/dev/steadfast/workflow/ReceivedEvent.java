package dev.steadfast.workflow;

import java.time.Instant;

/**
 * An event delivered to {@link WorkflowStep#waitForEvent}.
 *
 * @param type the event type it was sent with
 * @param payload its payload, converted to the type the waiting code asked for
 * @param timestamp when it was sent
 */
public record ReceivedEvent<T>(String type, T payload, Instant timestamp) {}
