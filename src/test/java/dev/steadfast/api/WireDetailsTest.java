package dev.steadfast.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.ErrorInfo;
import dev.steadfast.workflow.RollbackOutcome;
import dev.steadfast.workflow.engine.Redaction;
import dev.steadfast.workflow.engine.WorkflowEngine.InstanceView;
import dev.steadfast.workflow.store.AttemptRecord;
import dev.steadfast.workflow.store.InstanceRecord;
import dev.steadfast.workflow.store.StepRecord;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The JSON text of instance details (written without a JSON-P tree): every value as the v4 shape
 * has it, stored JSON copied exactly, text that is not JSON shown as a string, strings escaped.
 * The API and wrangler suites check the same answer over HTTP.
 */
class WireDetailsTest {
  private static final long T = 1_796_000_000_000L;
  private static final String CONFIG = "{\"retries\":{\"limit\":5,\"delay\":10000,"
      + "\"backoff\":\"exponential\"},\"timeout\":600000}";

  private static InstanceRecord instance(String status, String params, String output,
      String errorName, String errorMessage) {
    return new InstanceRecord("uid", "wf", "i-1", status, params, output, errorName,
        errorMessage, null, "v-1", T, T + 9, T + 1, status.equals("running") ? null : T + 9,
        null, null, null, 0, 0, null);
  }

  private static StepRecord doStep(String name, String state, String config, String result,
      String errorName, String errorMessage) {
    return new StepRecord("step:" + name + ":1", 0, "step", name, 1, state, config, result, null,
        errorName, errorMessage, 1, 0, T + 2, T + 3, null, null, null);
  }

  private static JsonObject render(InstanceView v) {
    String text = text(v);
    try (var r = Json.createReader(new StringReader(text))) {
      return r.readObject(); // also: the text is one valid JSON object
    }
  }

  private static String text(InstanceView v) {
    return String.valueOf(Wire.details(v));
  }

  private static JsonValue parse(String json) {
    try (var r = Json.createReader(new StringReader(json))) {
      return r.readValue();
    }
  }

  @Test
  void aCompleteInstanceWithEveryKindOfStep() {
    String params = "{\"items\":[\"a\",\"b\"],\"n\":1.50,\"big\":12345678901234567890,"
        + "\"e\":-3e5,\"t\":true,\"f\":false,\"z\":null,\"nested\":{\"x\":[[],{}]}}";
    StepRecord work = doStep("work", "succeeded", CONFIG, "{\"ok\":[1,2,3]}", null, null);
    StepRecord nap = new StepRecord("sleep:nap:1", 1, "sleep", "nap", 1, "slept", null, null,
        null, null, null, 0, 0, T + 4, null, T + 5, null, null);
    StepRecord wait = new StepRecord("waitForEvent:ok:1", 2, "waitForEvent", "ok", 1,
        "received", null, "{\"approved\":true}", null, null, null, 0, 0, T + 6, T + 7, null,
        "approval", T + 7);
    InstanceView v = new InstanceView(instance("complete", params, "\"done\"", null, null),
        List.of(work, nap, wait),
        Map.of(work.key(), List.of(new AttemptRecord(1, T + 2, T + 3, true, null, null))), null);

    JsonObject d = render(v);
    assertEquals("complete", d.getString("status"));
    assertEquals(parse(params), d.get("params"), "stored JSON copied value for value");
    assertEquals(Json.createValue("done"), d.get("output"));
    assertEquals(JsonValue.NULL, d.get("error"));
    assertEquals("2026-11-30T00:53:20Z", d.getString("queued"));
    assertEquals(JsonValue.TRUE, d.get("success"));
    assertEquals("api", d.getJsonObject("trigger").getString("source"));
    assertEquals("v-1", d.getString("versionId"));
    assertEquals(JsonValue.NULL, d.get("rollback"));
    assertEquals(3, d.getInt("step_count"));
    JsonArray steps = d.getJsonArray("steps");
    assertEquals(3, steps.size());

    JsonObject s0 = steps.getJsonObject(0);
    assertEquals("work-1", s0.getString("name"));
    assertEquals("step", s0.getString("type"));
    assertEquals(JsonValue.TRUE, s0.get("success"));
    assertEquals(parse("{\"ok\":[1,2,3]}"), s0.get("output"));
    assertEquals(parse(CONFIG), s0.get("config"));
    JsonObject a = s0.getJsonArray("attempts").getJsonObject(0);
    assertEquals(JsonValue.TRUE, a.get("success"));
    assertEquals(JsonValue.NULL, a.get("error"));
    assertEquals("2026-11-30T00:53:20.003Z", a.getString("end"));

    JsonObject s1 = steps.getJsonObject(1);
    assertEquals("sleep", s1.getString("type"));
    assertEquals("2026-11-30T00:53:20.005Z", s1.getString("end"), "a sleep ends when it wakes");
    assertEquals(JsonValue.TRUE, s1.get("finished"));

    JsonObject s2 = steps.getJsonObject(2);
    assertEquals("waitForEvent", s2.getString("type"));
    assertEquals("approval", s2.getString("event_type"));
    assertEquals(parse("{\"approved\":true}"), s2.get("output"));
    assertEquals(JsonValue.TRUE, s2.get("finished"));
  }

  @Test
  void textThatIsNotJsonIsShownAsAString() {
    for (String bad : new String[] {"not json {", "{\"a\":1", "1 2", "", "[1,]"}) {
      StepRecord s = doStep("s", "succeeded", null, bad, null, null);
      JsonObject d = render(new InstanceView(instance("complete", bad, null, null, null),
          List.of(s), Map.of(), null));
      assertEquals(Json.createValue(bad), d.get("params"), bad);
      assertEquals(Json.createValue(bad), d.getJsonArray("steps").getJsonObject(0).get("output"),
          bad);
      assertEquals(JsonValue.NULL, d.get("output"));
      assertEquals(JsonValue.NULL, d.getJsonArray("steps").getJsonObject(0).get("config"));
    }
  }

  @Test
  void stringsAreEscaped() {
    String message = "quote \" backslash \\ newline \n tab \t control \u0001 \u001f é 😀 </script>";
    StepRecord s = doStep("say \"hi\"", "failed", CONFIG, null, "Error", message);
    JsonObject d = render(new InstanceView(instance("errored", null, null, "Error", message),
        List.of(s), Map.of(s.key(), List.of(new AttemptRecord(1, T, T + 1, false, "Error",
            message))), null));
    assertEquals(message, d.getJsonObject("error").getString("message"));
    assertEquals(JsonValue.FALSE, d.get("success"));
    JsonObject step = d.getJsonArray("steps").getJsonObject(0);
    assertEquals("say \"hi\"-1", step.getString("name"));
    assertEquals(message, step.getJsonObject("error").getString("message"));
    assertEquals(message, step.getJsonArray("attempts").getJsonObject(0).getJsonObject("error")
        .getString("message"));
    assertTrue(text(new InstanceView(instance("errored", null, null, "E", message),
        List.of(), Map.of(), null)).contains("\\u0001"), "control characters as \\u0001");
  }

  @Test
  void sensitiveOutputsAreRedactedAndHugeOnesAbbreviated() {
    StepRecord secret = doStep("secret", "succeeded", "{\"sensitive\":true}",
        "{\"password\":\"hunter2\"}", null, null);
    String huge = "\"" + "x".repeat(Wire.DETAILS_OUTPUT_LIMIT + 10) + "\"";
    StepRecord big = new StepRecord("step:big:1", 1, "step", "big", 1, "succeeded", null, huge,
        null, null, null, 1, 0, T, T + 1, null, null, null);
    JsonObject d = render(new InstanceView(instance("complete", null, null, null, null),
        List.of(secret, big), Map.of(), null));
    JsonArray steps = d.getJsonArray("steps");
    assertEquals(parse(Redaction.REDACTED_JSON), steps.getJsonObject(0).get("output"));
    assertTrue(!text(new InstanceView(instance("complete", null, null, null, null),
        List.of(secret), Map.of(), null)).contains("hunter2"));
    String shown = steps.getJsonObject(1).getString("output");
    assertTrue(shown.startsWith(huge.substring(0, 100)), shown.substring(0, 120));
    assertTrue(shown.contains("(abbreviated: " + huge.length() + " characters of JSON; GET "
        + "…/instances/{id}/step?name=big-1&type=step returns it whole)"), shown.substring(
        Wire.DETAILS_OUTPUT_LIMIT));
  }

  @Test
  void terminationRollbackStepsAndTheRollbackOutcome() {
    StepRecord charge = doStep("charge", "succeeded", null, "1", null, null);
    StepRecord undo = new StepRecord("rollback:charge:1", 1, "rollback", "charge", 1, "failed",
        null, null, null, "Error", "refund failed", 1, 1, T + 5, T + 6, null, null, null);
    InstanceView v = new InstanceView(instance("terminated", null, null, null, null),
        List.of(charge, undo), Map.of(), new RollbackOutcome(RollbackOutcome.State.FAILED,
            "charge-1", new ErrorInfo("Error", "refund failed")));
    JsonObject d = render(v);
    assertEquals(JsonValue.NULL, d.get("success"));
    assertEquals(2, d.getInt("step_count"), "the termination is not a step of the journal");
    JsonArray steps = d.getJsonArray("steps");
    assertEquals(3, steps.size());
    JsonObject r = steps.getJsonObject(1);
    assertEquals("charge-1 (rollback)", r.getString("name"));
    assertEquals("charge-1", r.getString("rollback_of"));
    assertEquals("step", r.getString("type"));
    assertEquals(JsonValue.FALSE, r.get("success"));
    assertEquals(parse("{\"type\":\"termination\",\"trigger\":{\"source\":\"api\"}}"),
        steps.getJsonObject(2));
    assertEquals(parse("{\"outcome\":\"failed\",\"step\":\"charge-1\",\"error\":"
        + "{\"name\":\"Error\",\"message\":\"refund failed\"}}"), d.get("rollback"));
  }
}
