package dev.steadfast.workflow;

import java.lang.reflect.Type;
import java.util.function.BiFunction;

/**
 * A snapshot of an instance: its status, the error that failed it (if errored), and its output
 * (if complete).
 */
public final class InstanceStatus {
  private final Status status;
  private final ErrorInfo error;
  private final String outputJson;
  private final BiFunction<String, Type, Object> decoder;
  private final RollbackOutcome rollback;

  public InstanceStatus(
      Status status, ErrorInfo error, String outputJson, BiFunction<String, Type, Object> decoder) {
    this(status, error, outputJson, decoder, null);
  }

  public InstanceStatus(Status status, ErrorInfo error, String outputJson,
      BiFunction<String, Type, Object> decoder, RollbackOutcome rollback) {
    this.status = status;
    this.error = error;
    this.outputJson = outputJson;
    this.decoder = decoder;
    this.rollback = rollback;
  }

  /**
   * The rollback of the instance's compensations: running while it is {@code rollingBack}, then
   * rolled back or failed (which compensation, with its error); null when none ran.
   */
  public RollbackOutcome rollback() {
    return rollback;
  }

  public Status status() {
    return status;
  }

  /** The error of an errored instance, otherwise null. */
  public ErrorInfo error() {
    return error;
  }

  /** The output as raw JSON text, null before completion. */
  public String outputJson() {
    return outputJson;
  }

  /** The output converted to {@code type}; null before completion. */
  @SuppressWarnings("unchecked")
  public <R> R output(Class<R> type) {
    return outputJson == null ? null : (R) decoder.apply(outputJson, type);
  }

  /** The output converted to a generic type. */
  @SuppressWarnings("unchecked")
  public <R> R output(TypeRef<R> type) {
    return outputJson == null ? null : (R) decoder.apply(outputJson, type.type());
  }

  /** The output as plain JSON values (maps, lists, strings, numbers, booleans). */
  public Object output() {
    return output(Object.class);
  }

  @Override
  public String toString() {
    return "InstanceStatus{" + status.wireName() + (error != null ? ", error=" + error : "")
        + (outputJson != null ? ", output=" + outputJson : "")
        + (rollback != null ? ", rollback=" + rollback : "") + "}";
  }
}
