package dev.steadfast.workflow.store;

/** An immutable copy of a workflow row. */
public record WorkflowRecord(
    String name, String className, String binding, String versionId, long createdAt,
    long modifiedAt, Long triggeredAt) {}
