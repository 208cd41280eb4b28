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

  public InstanceStatus(
      Status status, ErrorInfo error, String outputJson, BiFunction<String, Type, Object> decoder) {
    this.status = status;
    this.error = error;
    this.outputJson = outputJson;
    this.decoder = decoder;
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
        + (outputJson != null ? ", output=" + outputJson : "") + "}";
  }
}
