package dev.steadfast.agent;

/** A pending queue item; {@code createdAt} in epoch millis. */
public record QueueItem(String id, String callback, Object payload, long createdAt) {}
