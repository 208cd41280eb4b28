package dev.steadfast.agent;

import java.util.List;

/**
 * One page of {@link Agent#getWorkflows}.
 *
 * @param workflows up to the query's limit
 * @param total how many tracked workflows match the filters (the cursor aside)
 * @param nextCursor pass it to {@link WorkflowQuery#cursor} for the next page; null on the last
 */
public record WorkflowPage(List<TrackedWorkflow> workflows, long total, String nextCursor) {}
