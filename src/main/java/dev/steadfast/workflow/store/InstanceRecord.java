package dev.steadfast.workflow.store;

/** An immutable copy of an instance row. Times are epoch milliseconds. */
public record InstanceRecord(
    String uid,
    String workflowName,
    String instanceId,
    String status,
    String params,
    String output,
    String errorName,
    String errorMessage,
    String triggerSource,
    String versionId,
    long createdAt,
    long modifiedAt,
    Long startedAt,
    Long endedAt,
    Long dueAt,
    String owner,
    Long leaseUntil,
    int gen,
    long signals,
    String control) {}
