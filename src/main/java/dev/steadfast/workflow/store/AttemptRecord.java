package dev.steadfast.workflow.store;

/** An immutable copy of an attempt row; {@code endedAt} and {@code success} are null in flight. */
public record AttemptRecord(
    int attempt, long startedAt, Long endedAt, Boolean success, String errorName,
    String errorMessage) {}
