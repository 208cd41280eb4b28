package dev.steadfast.agent;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Filters and paging of {@link Agent#getWorkflows} and {@link Agent#deleteWorkflows}, built
 * fluently: {@code WorkflowQuery.all().status("complete", "errored").limit(20)}. Every filter is
 * optional; they combine with AND.
 */
public final class WorkflowQuery {
  /** Page size when none is given. */
  public static final int DEFAULT_LIMIT = 50;
  /** The largest page. */
  public static final int MAX_LIMIT = 100;

  private List<String> statuses = List.of();
  private String workflowName;
  private final Map<String, Object> metadata = new LinkedHashMap<>();
  private Instant createdBefore;
  private Instant createdAfter;
  private int limit = DEFAULT_LIMIT;
  private boolean ascending;
  private String cursor;

  private WorkflowQuery() {}

  /** No filter: every tracked workflow, newest first, 50 per page. */
  public static WorkflowQuery all() {
    return new WorkflowQuery();
  }

  /** Only workflows in one of these statuses (wire names: running, complete, ...). */
  public WorkflowQuery status(String... statuses) {
    this.statuses = List.of(statuses);
    return this;
  }

  /** Only workflows started under this name or binding. */
  public WorkflowQuery workflowName(String name) {
    this.workflowName = name;
    return this;
  }

  /** Only workflows whose metadata has {@code key} equal to {@code value} (repeatable). */
  public WorkflowQuery metadata(String key, Object value) {
    metadata.put(key, value);
    return this;
  }

  /** Only workflows created strictly before {@code t}. */
  public WorkflowQuery createdBefore(Instant t) {
    this.createdBefore = t;
    return this;
  }

  /** Only workflows created strictly after {@code t}. */
  public WorkflowQuery createdAfter(Instant t) {
    this.createdAfter = t;
    return this;
  }

  /** Page size, 1 to {@value #MAX_LIMIT} (default {@value #DEFAULT_LIMIT}). */
  public WorkflowQuery limit(int limit) {
    this.limit = limit;
    return this;
  }

  /** Oldest first instead of newest first. */
  public WorkflowQuery ascending() {
    this.ascending = true;
    return this;
  }

  /** Newest first (the default). */
  public WorkflowQuery descending() {
    this.ascending = false;
    return this;
  }

  /** Continues after the page that returned this cursor; the other settings must be the same. */
  public WorkflowQuery cursor(String cursor) {
    this.cursor = cursor;
    return this;
  }

  public List<String> statuses() {
    return statuses;
  }

  public String workflowName() {
    return workflowName;
  }

  public Map<String, Object> metadata() {
    return metadata;
  }

  public Instant createdBefore() {
    return createdBefore;
  }

  public Instant createdAfter() {
    return createdAfter;
  }

  public int limit() {
    return limit;
  }

  public boolean isAscending() {
    return ascending;
  }

  public String cursor() {
    return cursor;
  }
}
