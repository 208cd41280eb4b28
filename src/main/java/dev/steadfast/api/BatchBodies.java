package dev.steadfast.api;

import dev.steadfast.workflow.BatchOptions;
import dev.steadfast.workflow.BatchResult;
import dev.steadfast.workflow.Durations;
import dev.steadfast.workflow.Retention;
import dev.steadfast.workflow.WorkflowClient.NewInstance;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.WorkflowInstance;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The request and answer shapes of the batch create's object form and of instance retention:
 * {@code instance_retention: {success_retention, error_retention}}, each a number of
 * milliseconds or a duration such as {@code "5 minutes"}.
 */
final class BatchBodies {
  private static final Set<String> RETENTION_FIELDS = Set.of("success_retention",
      "error_retention");

  private BatchBodies() {}

  /** The options of an object-form batch body. */
  static BatchOptions<Object> options(JsonObject o, Set<String> fields, Set<String> itemFields) {
    Bodies.object(o, "the body", fields);
    boolean byCount = o.containsKey("count");
    if (byCount == o.containsKey("instances")) {
      throw ApiError.invalidBody("the body needs either 'count' (instances sharing 'params') or"
          + " 'instances' (a list of create bodies), not " + (byCount ? "both" : "neither"));
    }
    if (byCount) {
      Integer count = Bodies.integer(o, "count");
      if (count == null || count < 1 || count > 100) {
        throw ApiError.invalidBody("field 'count' must be a whole number from 1 to 100, got "
            + o.get("count"));
      }
      return BatchOptions.count(count, Bodies.toJava(o.get("params")))
          .withRetention(retention(o.get("instance_retention")));
    }
    if (o.containsKey("params") || o.containsKey("instance_retention")) {
      throw ApiError.invalidBody("fields 'params' and 'instance_retention' belong to each entry"
          + " of 'instances', or to the 'count' form");
    }
    JsonArray items = Bodies.array(o.get("instances"), "field 'instances'");
    if (items.isEmpty() || items.size() > 100) {
      throw ApiError.invalidBody("field 'instances' holds 1 to 100 instances, got "
          + items.size());
    }
    List<NewInstance<Object>> list = new ArrayList<>();
    for (int k = 0; k < items.size(); k++) {
      list.add(InstancesResource.newInstance(Bodies.object(items.get(k),
          "instances[" + k + "]", itemFields)));
    }
    return BatchOptions.of(list);
  }

  /** {@code {created: [...], errors: [{index, id, code, message}]}}, errors as v4 codes. */
  static JsonObject result(BatchResult r, Function<String, JsonObject> created) {
    JsonArrayBuilder made = Jsonp.P.createArrayBuilder();
    for (WorkflowInstance i : r.created()) {
      made.add(created.apply(i.id()));
    }
    JsonArrayBuilder errors = Jsonp.P.createArrayBuilder();
    for (BatchResult.Error e : r.errors()) {
      ApiError code = ApiExceptionMappers.EngineErrors.of(new WorkflowException(e.reason(),
          e.message()));
      JsonObjectBuilder b = Jsonp.P.createObjectBuilder().add("index", e.index())
          .add("id", Wire.string(e.id())).add("code", code.code()).add("message", e.message());
      errors.add(b);
    }
    return Jsonp.P.createObjectBuilder().add("created", made).add("errors", errors).build();
  }

  /** An {@code instance_retention} object; null when absent. */
  static Retention retention(JsonValue v) {
    if (v == null || v == JsonValue.NULL) {
      return null;
    }
    JsonObject o = Bodies.object(v, "field 'instance_retention'", RETENTION_FIELDS);
    try {
      return new Retention(period(o, "success_retention"), period(o, "error_retention"));
    } catch (WorkflowException e) {
      throw ApiError.invalidBody("field 'instance_retention': " + e.getMessage());
    }
  }

  private static Duration period(JsonObject o, String field) {
    JsonValue v = o.get(field);
    if (v == null || v == JsonValue.NULL) {
      return null;
    }
    if (v instanceof JsonNumber n && n.isIntegral() && n.longValue() > 0) {
      return Duration.ofMillis(n.longValue());
    }
    if (v instanceof JsonString s) {
      try {
        return Durations.parse(s.getString());
      } catch (IllegalArgumentException e) {
        throw ApiError.invalidBody("field 'instance_retention." + field + "': " + e.getMessage());
      }
    }
    throw ApiError.invalidBody("field 'instance_retention." + field + "' must be a positive"
        + " number of milliseconds or a duration such as \"5 minutes\", got " + Bodies.kind(v));
  }
}
