package dev.steadfast.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The progress a workflow reports when it declares no type of its own: a step, a status, a
 * message, a fraction done, and any extra fields. It reaches the agent (and, through the agent,
 * its clients) as a JSON object with these fields at the top level.
 */
public final class DefaultProgress {
  /** The status of the reported step. */
  public enum Status {
    pending,
    running,
    complete,
    error
  }

  private final Map<String, Object> fields = new LinkedHashMap<>();

  private DefaultProgress() {}

  public static DefaultProgress of(String step, Status status, String message, Double percent) {
    DefaultProgress p = new DefaultProgress();
    p.put("step", step).put("status", status == null ? null : status.name())
        .put("message", message).put("percent", percent);
    return p;
  }

  /** Progress of a step with a fraction done (0 to 1). */
  public static DefaultProgress step(String step, Status status, double percent) {
    return of(step, status, null, percent);
  }

  /** Adds a field; a null value leaves it out. */
  public DefaultProgress put(String key, Object value) {
    if (value == null) {
      fields.remove(key);
    } else {
      fields.put(key, value);
    }
    return this;
  }

  public String step() {
    return (String) fields.get("step");
  }

  public String status() {
    return (String) fields.get("status");
  }

  public String message() {
    return (String) fields.get("message");
  }

  public Double percent() {
    return (Double) fields.get("percent");
  }

  /** Every field, as sent. */
  public Map<String, Object> toMap() {
    return Map.copyOf(fields);
  }

  @Override
  public String toString() {
    return fields.toString();
  }
}
