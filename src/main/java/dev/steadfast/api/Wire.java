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

  /** Step configs as JSON text: a journal repeats a handful of them, so each is parsed once. */
  private static final java.util.Map<String, String> CONFIGS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static String configText(String text) {
    if (text == null) {
      return "null";
    }
    if (CONFIGS.size() > 1_000) {
      CONFIGS.clear();
    }
    return CONFIGS.computeIfAbsent(text, t -> json(t).toString());
  }

  /**
   * Instance details with the full journal, steps in the order they were first recorded, as the
   * JSON text of the envelope's {@code result}. Written straight into text ({@link JsonText}): a
   * JSON-P tree of a 1,000-step journal cost the server more than everything else in the request.
   */
  static String details(InstanceView v) {
    InstanceRecord r = v.instance();
    JsonText j = new JsonText(512 + 400 * v.steps().size());
    j.beginObject()
        .name("status").value(r.status())
        .name("params").stored(r.params())
        .name("output").stored(r.output())
        .name("error").error(r.errorName(), r.errorMessage())
        .name("queued").time(r.createdAt())
        .name("start").time(r.startedAt())
        .name("end").time(r.endedAt())
        .name("success").value(switch (r.status()) {
          case "complete" -> Boolean.TRUE;
          case "errored" -> Boolean.FALSE;
          default -> null;
        })
        .name("trigger").beginObject()
        .name("source").value(r.triggerSource() == null ? "api" : r.triggerSource()).endObject()
        .name("versionId").value(r.versionId())
        .name("rollback").value(rollback(v.rollback()))
        .name("step_count").value(v.steps().size())
        .name("steps").beginArray();
    for (StepRecord s : v.steps()) {
      step(j, s, v.attempts().getOrDefault(s.key(), List.of()));
    }
    if ("terminated".equals(r.status())) {
      j.beginObject().name("type").value("termination")
          .name("trigger").beginObject().name("source").value("api").endObject().endObject();
    }
    return j.endArray().endObject().toString();
  }

  /**
   * A do step's output past {@link #DETAILS_OUTPUT_LIMIT} characters, as the details show it
   * (the step endpoint, {@link StepOutputs}, has it whole), so one huge result does not make
   * every details request of the instance huge.
   */
  private static String abbreviated(StepRecord s, String shown) {
    return shown.substring(0, DETAILS_OUTPUT_LIMIT) + "… (abbreviated: " + shown.length()
        + " characters of JSON; GET …/instances/{id}/step?name=" + s.name() + "-"
        + s.occurrence() + "&type=step returns it whole)";
  }

  /** Longest step output (JSON characters) the instance details show unabbreviated: 64 KiB. */
  static final int DETAILS_OUTPUT_LIMIT = 64 * 1024;

  private static void step(JsonText j, StepRecord s, List<AttemptRecord> attempts) {
    String name = s.name() + "-" + s.occurrence();
    j.beginObject();
    if ("rollback".equals(s.kind())) {
      // a compensation: shown as a step (wrangler lists its attempts), named after the step it
      // undoes, which rollback_of names exactly
      j.name("name").value(name + " (rollback)").name("rollback_of").value(name)
          .name("start").time(s.startedAt());
      doStep(j, s, attempts);
      j.endObject();
      return;
    }
    j.name("name").value(name).name("start").time(s.startedAt());
    switch (s.kind()) {
      case "sleep" -> j.name("type").value("sleep")
          // a sleep's end is when it wakes, known from the moment it starts
          .name("end").time(s.endedAt() != null ? s.endedAt() : s.dueAt())
          .name("finished").value(StepState.SLEPT.equals(s.state()))
          .name("error").nullValue();
      case "waitForEvent" -> j.name("type").value("waitForEvent")
          .name("end").time(s.endedAt())
          .name("finished").value(s.isFinished())
          .name("error").error(s.errorName(), s.errorMessage())
          .name("event_type").value(s.eventType())
          .name("output").stored(s.result());
      default -> doStep(j, s, attempts);
    }
    j.endObject();
  }

  private static void doStep(JsonText j, StepRecord s, List<AttemptRecord> attempts) {
    j.name("type").value("step")
        .name("end").time(s.endedAt())
        .name("success").value(StepState.SUCCEEDED.equals(s.state()) ? Boolean.TRUE
            : StepState.FAILED.equals(s.state()) ? Boolean.FALSE : null)
        .name("output");
    String shown = Redaction.shownResult(s);
    if (shown != null && shown.length() > DETAILS_OUTPUT_LIMIT) {
      j.value(abbreviated(s, shown));
    } else {
      j.stored(shown);
    }
    j.name("error").error(s.errorName(), s.errorMessage())
        .name("config").raw(configText(s.config()))
        .name("attempts").beginArray();
    for (AttemptRecord a : attempts) {
      j.beginObject()
          .name("start").time(a.startedAt())
          .name("end").time(a.endedAt())
          .name("success").value(a.success())
          .name("error").error(a.errorName(), a.errorMessage())
          .endObject();
    }
    j.endArray();
  }
}
