package dev.steadfast.api;

import dev.steadfast.workflow.RollbackOutcome;
import dev.steadfast.workflow.engine.Redaction;
import dev.steadfast.workflow.Retention;
import dev.steadfast.workflow.engine.WorkflowEngine.InstanceView;
import dev.steadfast.workflow.engine.WorkflowEngine.WorkflowInfo;
import dev.steadfast.workflow.engine.WorkflowPolicy;
import dev.steadfast.workflow.store.AttemptRecord;
import dev.steadfast.workflow.store.InstanceRecord;
import dev.steadfast.workflow.store.StepRecord;
import dev.steadfast.workflow.store.StepState;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The v4 JSON shapes of workflows, versions, instances and instance details. */
final class Wire {
  private Wire() {}

  /** ISO-8601 (wrangler sorts on these as strings), or null. */
  static JsonValue time(Long epochMillis) {
    return epochMillis == null ? JsonValue.NULL
        : Jsonp.P.createValue(Instant.ofEpochMilli(epochMillis).toString());
  }

  static JsonValue string(String s) {
    return s == null ? JsonValue.NULL : Jsonp.P.createValue(s);
  }

  /** A stable workflow id: Cloudflare identifies workflows by UUID, we by name. */
  static String workflowId(String name) {
    return UUID.nameUUIDFromBytes(("steadfast-workflow:" + name).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /** Stored JSON text as a JSON value; text that is somehow not JSON is shown as a string. */
  static JsonValue json(String text) {
    if (text == null) {
      return JsonValue.NULL;
    }
    try (var r = Jsonp.P.createReader(new StringReader(text))) {
      return r.readValue();
    } catch (RuntimeException e) {
      return Jsonp.P.createValue(text);
    }
  }

  static JsonObject workflow(WorkflowInfo w) {
    JsonObjectBuilder counts = Jsonp.P.createObjectBuilder();
    w.counts().forEach((status, n) -> counts.add(status, n));
    String name = w.definition().name();
    JsonObjectBuilder b = Jsonp.P.createObjectBuilder()
        .add("id", workflowId(name))
        .add("name", name)
        .add("class_name", w.definition().workflowClass().getName())
        .add("script_name", "steadfast")
        .add("created_on", time(w.row().createdAt()))
        .add("modified_on", time(w.row().modifiedAt()))
        .add("triggered_on", time(w.triggeredAt()))
        .add("instances", counts);
    policy(b, w.definition().policy());
    return b.build();
  }

  /** The deployment's settings, in the shape wrangler deploys them ({@code PUT /workflows/W}). */
  private static void policy(JsonObjectBuilder b, WorkflowPolicy p) {
    JsonArrayBuilder schedules = Jsonp.P.createArrayBuilder();
    p.schedules().forEach(c -> schedules.add(Jsonp.P.createObjectBuilder().add("cron", c)));
    b.add("schedules", schedules);
    if (p.limited()) {
      b.add("concurrency", Jsonp.P.createObjectBuilder().add("limit", p.concurrencyLimit()));
    }
    Retention r = p.retention();
    if (r.success() != null || r.error() != null) {
      JsonObjectBuilder d = Jsonp.P.createObjectBuilder();
      if (r.success() != null) {
        d.add("success_retention", r.success().toMillis());
      }
      if (r.error() != null) {
        d.add("error_retention", r.error().toMillis());
      }
      b.add("default_retention", d);
    }
  }

  static JsonObject version(WorkflowInfo w) {
    return Jsonp.P.createObjectBuilder()
        .add("id", w.definition().versionId())
        .add("class_name", w.definition().workflowClass().getName())
        .add("created_on", time(w.row().createdAt()))
        .add("modified_on", time(w.row().modifiedAt()))
        .add("workflow_id", workflowId(w.definition().name()))
        .add("language", "java")
        .build();
  }

  static JsonObject instance(InstanceRecord r) {
    return Jsonp.P.createObjectBuilder()
        .add("id", r.instanceId())
        .add("created_on", time(r.createdAt()))
        .add("modified_on", time(r.modifiedAt()))
        .add("started_on", time(r.startedAt()))
        .add("ended_on", time(r.endedAt()))
        .add("status", r.status())
        .add("version_id", string(r.versionId()))
        .add("workflow_id", workflowId(r.workflowName()))
        .build();
  }

  static JsonValue error(String name, String message) {
    if (name == null && message == null) {
      return JsonValue.NULL;
    }
    return Jsonp.P.createObjectBuilder().add("name", string(name)).add("message", string(message))
        .build();
  }

  /**
   * An instance's rollback: {@code {outcome: running|rolledBack|failed|cancelled, step, error}},
   * {@code step} and {@code error} naming the compensation that failed; null when none ran.
   */
  static JsonValue rollback(RollbackOutcome r) {
    if (r == null) {
      return JsonValue.NULL;
    }
    return Jsonp.P.createObjectBuilder()
        .add("outcome", r.state().wireName())
        .add("step", string(r.step()))
        .add("error", r.error() == null ? JsonValue.NULL
            : error(r.error().name(), r.error().message()))
        .build();
  }

  /** Parsed step configs: a journal repeats a handful of them, so each is parsed once. */
  private static final java.util.Map<String, JsonValue> CONFIGS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static JsonValue config(String text) {
    if (text == null) {
      return JsonValue.NULL;
    }
    if (CONFIGS.size() > 1_000) {
      CONFIGS.clear();
    }
    return CONFIGS.computeIfAbsent(text, Wire::json);
  }

  /** Instance details with the full journal, steps in the order they were first recorded. */
  static JsonObject details(InstanceView v) {
    InstanceRecord r = v.instance();
    JsonArrayBuilder steps = Jsonp.P.createArrayBuilder();
    for (StepRecord s : v.steps()) {
      steps.add(step(s, v.attempts().getOrDefault(s.key(), List.of())));
    }
    if ("terminated".equals(r.status())) {
      steps.add(Jsonp.P.createObjectBuilder().add("type", "termination")
          .add("trigger", Jsonp.P.createObjectBuilder().add("source", "api")));
    }
    JsonValue success = switch (r.status()) {
      case "complete" -> JsonValue.TRUE;
      case "errored" -> JsonValue.FALSE;
      default -> JsonValue.NULL;
    };
    return Jsonp.P.createObjectBuilder()
        .add("status", r.status())
        .add("params", json(r.params()))
        .add("output", json(r.output()))
        .add("error", error(r.errorName(), r.errorMessage()))
        .add("queued", time(r.createdAt()))
        .add("start", time(r.startedAt()))
        .add("end", time(r.endedAt()))
        .add("success", success)
        .add("trigger", Jsonp.P.createObjectBuilder()
            .add("source", r.triggerSource() == null ? "api" : r.triggerSource()))
        .add("versionId", string(r.versionId()))
        .add("rollback", rollback(v.rollback()))
        .add("step_count", v.steps().size())
        .add("steps", steps)
        .build();
  }

  /**
   * A do step's output as the details show it: redacted when sensitive, and abbreviated past
   * {@link #DETAILS_OUTPUT_LIMIT} characters (the step endpoint, {@link StepOutputs}, has it
   * whole), so one huge result does not make every details request of the instance huge.
   */
  static JsonValue output(StepRecord s) {
    String shown = Redaction.shownResult(s);
    if (shown != null && shown.length() > DETAILS_OUTPUT_LIMIT) {
      return Jsonp.P.createValue(shown.substring(0, DETAILS_OUTPUT_LIMIT) + "… (abbreviated: "
          + shown.length() + " characters of JSON; GET …/instances/{id}/step?name="
          + s.name() + "-" + s.occurrence() + "&type=step returns it whole)");
    }
    return json(shown);
  }

  /** Longest step output (JSON characters) the instance details show unabbreviated: 64 KiB. */
  static final int DETAILS_OUTPUT_LIMIT = 64 * 1024;

  private static JsonObject step(StepRecord s, List<AttemptRecord> attempts) {
    String name = s.name() + "-" + s.occurrence();
    if ("rollback".equals(s.kind())) {
      // a compensation: shown as a step (wrangler lists its attempts), named after the step it
      // undoes, which rollback_of names exactly
      return doStep(s, attempts, Jsonp.P.createObjectBuilder().add("name", name + " (rollback)")
          .add("rollback_of", name).add("start", time(s.startedAt())));
    }
    JsonObjectBuilder b = Jsonp.P.createObjectBuilder().add("name", name).add("start", time(s.startedAt()));
    switch (s.kind()) {
      case "sleep" -> b.add("type", "sleep")
          // a sleep's end is when it wakes, known from the moment it starts
          .add("end", time(s.endedAt() != null ? s.endedAt() : s.dueAt()))
          .add("finished", StepState.SLEPT.equals(s.state()))
          .add("error", JsonValue.NULL);
      case "waitForEvent" -> b.add("type", "waitForEvent")
          .add("end", time(s.endedAt()))
          .add("finished", s.isFinished())
          .add("error", error(s.errorName(), s.errorMessage()))
          .add("event_type", string(s.eventType()))
          .add("output", json(s.result()));
      default -> {
        return doStep(s, attempts, b);
      }
    }
    return b.build();
  }

  private static JsonObject doStep(StepRecord s, List<AttemptRecord> attempts,
      JsonObjectBuilder b) {
    JsonArrayBuilder as = Jsonp.P.createArrayBuilder();
    for (AttemptRecord a : attempts) {
      as.add(Jsonp.P.createObjectBuilder()
          .add("start", time(a.startedAt()))
          .add("end", time(a.endedAt()))
          .add("success", a.success() == null ? JsonValue.NULL
              : a.success() ? JsonValue.TRUE : JsonValue.FALSE)
          .add("error", error(a.errorName(), a.errorMessage())));
    }
    JsonValue success = StepState.SUCCEEDED.equals(s.state()) ? JsonValue.TRUE
        : StepState.FAILED.equals(s.state()) ? JsonValue.FALSE : JsonValue.NULL;
    return b.add("type", "step")
        .add("end", time(s.endedAt()))
        .add("success", success)
        .add("output", output(s))
        .add("error", error(s.errorName(), s.errorMessage()))
        .add("config", config(s.config()))
        .add("attempts", as)
        .build();
  }
}
