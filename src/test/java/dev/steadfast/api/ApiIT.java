package dev.steadfast.api;

import dev.steadfast.testing.Http;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.testing.ApiClient;
import dev.steadfast.testing.ApiClient.Reply;
import dev.steadfast.testing.ServerProcess;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The REST API against a real server: the answers a client sees on the happy paths and on every
 * error path (status, envelope, code, message). The fuzz test is {@link ApiFuzz}, run from here so
 * both share one server.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiIT {
  static ServerProcess server;
  static ApiClient api;

  @BeforeAll
  static void start() {
    // the parent demo's deployment settings come from configuration (issue 10 items 6 and 7)
    server = ServerProcess.start("api", Map.of("STEADFAST_ACCOUNT_ID", "acc",
        "STEADFAST_WORKFLOW_PARENT_SCHEDULES", "0 0 1 1 *;30 9 * * MON-FRI",
        "STEADFAST_WORKFLOW_PARENT_CONCURRENCY_LIMIT", "7",
        "STEADFAST_WORKFLOW_PARENT_RETENTION_ERROR", "2 days"));
    api = new ApiClient(server.apiBase() + "/accounts/acc", ServerProcess.TOKEN);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static void assertError(Reply r, int status, int code, String messagePart) {
    assertEquals(status, r.status(), r::toString);
    assertNotNull(r.json(), () -> "not JSON: " + r.text());
    assertFalse(r.json().getBoolean("success"), r::toString);
    assertEquals(code, r.code(), r::toString);
    assertTrue(r.message().contains(messagePart), () -> "message of " + r + " lacks " + messagePart);
    assertTrue(r.json().getJsonArray("messages").isEmpty());
  }

  static JsonObject ok(Reply r) {
    assertEquals(200, r.status(), r::toString);
    assertTrue(r.json().getBoolean("success"), r::toString);
    assertTrue(r.json().getJsonArray("errors").isEmpty());
    return r.json();
  }

  static String create(String workflow, String body) {
    return ok(api.send("POST", "/workflows/" + workflow + "/instances", body))
        .getJsonObject("result").getString("id");
  }

  @Test
  void authentication() {
    assertError(api.send("GET", "/workflows", null, null, null), 401, 10000, "Bearer");
    assertError(api.send("GET", "/workflows", null, null, "wrong"), 401, 10000, "not valid");
    // unknown paths are not revealed without a token
    assertError(api.send("GET", "/nothing/here", null, null, null), 401, 10000, "Authentication");
    ApiClient other = new ApiClient(server.apiBase() + "/accounts/someone-else", ServerProcess.TOKEN);
    assertError(other.get("/workflows"), 403, 10003, "someone-else");
  }

  @Test
  void workflowsListDescribeVersions() {
    JsonArray list = ok(api.get("/workflows")).getJsonArray("result");
    Set<String> names = new HashSet<>();
    list.forEach(v -> names.add(v.asJsonObject().getString("name")));
    assertTrue(names.containsAll(Set.of("approval", "processing", "invoice", "resilient-call", "parent")));
    create("invoice", "{\"params\":{\"customer\":\"c\",\"lines\":[],\"grace\":\"1 hour\"}}");
    JsonObject w = ok(api.get("/workflows/invoice")).getJsonObject("result");
    assertEquals("dev.steadfast.examples.InvoiceWorkflow", w.getString("class_name"));
    assertTrue(w.getString("created_on").endsWith("Z"));
    assertNotNull(w.getString("triggered_on"));
    assertTrue(w.getJsonObject("instances").getJsonNumber("waiting") != null
        || w.getJsonObject("instances").getJsonNumber("running") != null
        || w.getJsonObject("instances").getJsonNumber("queued") != null, w::toString);
    JsonArray versions = ok(api.get("/workflows/invoice/versions")).getJsonArray("result");
    assertEquals(1, versions.size());
    assertEquals(w.getString("id"), versions.getJsonObject(0).getString("workflow_id"));
    assertError(api.get("/workflows/nope"), 404, 10200, "nope");
    assertError(api.get("/workflows/nope/versions"), 404, 10200, "nope");
    assertError(api.send("POST", "/workflows/nope/instances", "{}"), 404, 10200, "nope");
    assertError(api.get("/workflows?per_page=abc"), 400, 10006, "per_page");
  }

  @Test
  void createErrors() {
    String path = "/workflows/approval/instances";
    String id = create("approval", "{\"instance_id\":\"dup-1\",\"params\":{\"title\":\"t\"}}");
    assertEquals("dup-1", id);
    assertError(api.send("POST", path, "{\"instance_id\":\"dup-1\"}"), 409, 10405, "dup-1");
    assertError(api.send("POST", path, "{\"instance_id\":"), 400, 10002, "not valid JSON");
    assertError(api.send("POST", path, "{} {}"), 400, 10002, "not valid JSON");
    assertError(api.send("POST", path, "[1]"), 400, 10002, "must be a JSON object");
    assertError(api.send("POST", path, "{\"instance_id\":7}"), 400, 10002, "must be a string");
    assertError(api.send("POST", path, "{\"id\":\"x\"}"), 400, 10002, "unknown field 'id'");
    assertError(api.send("POST", path, "{\"instance_id\":\"bad id!\"}"), 400, 10002, "must match");
    String huge = "{\"params\":\"" + "x".repeat(1024 * 1024 + 10) + "\"}";
    assertError(api.send("POST", path, huge), 413, 10413, "1 MiB");
    assertError(api.send("POST", path, "{}", "application/json;;==", ServerProcess.TOKEN), 400,
        10007, "Content-Type");
    // batch: duplicates refused, ids in use skipped
    String batch = path + "/batch";
    assertError(api.send("POST", batch, "[{\"instance_id\":\"b-1\"},{\"instance_id\":\"b-1\"}]"),
        400, 10415, "b-1");
    assertError(api.send("POST", batch, "[]"), 400, 10002, "1 to 100");
    assertError(api.send("POST", batch, "{}"), 400, 10002, "either 'count'");
    assertError(api.send("POST", batch, "7"), 400, 10002, "must be a JSON array");
    JsonArray made = ok(api.send("POST", batch,
        "[{\"instance_id\":\"b-1\"},{\"instance_id\":\"dup-1\"}]")).getJsonArray("result");
    assertEquals(1, made.size());
    assertEquals("b-1", made.getJsonObject(0).getString("id"));
  }

  /** Issue 10 item 5: the object form of the batch create, an error per entry not created. */
  @Test
  void batchObjectFormAndRetention() {
    String path = "/workflows/approval/instances";
    String batch = path + "/batch";
    create("approval", "{\"instance_id\":\"ob-taken\",\"params\":{\"title\":\"t\"}}");
    JsonObject byCount = ok(api.send("POST", batch,
        "{\"count\":3,\"params\":{\"title\":\"c\"}}")).getJsonObject("result");
    assertEquals(3, byCount.getJsonArray("created").size());
    assertEquals("queued", byCount.getJsonArray("created").getJsonObject(0).getString("status"));
    assertTrue(byCount.getJsonArray("errors").isEmpty());
    JsonObject byList = ok(api.send("POST", batch, "{\"instances\":["
        + "{\"instance_id\":\"ob-1\",\"params\":{\"title\":\"a\"}},"
        + "{\"instance_id\":\"ob-taken\"},"
        + "{\"instance_id\":\"ob-1\"},"
        + "{\"instance_id\":\"bad id!\"},"
        + "{\"instance_id\":\"ob-2\",\"instance_retention\":{\"success_retention\":\"1 day\","
        + "\"error_retention\":60000}}]}")).getJsonObject("result");
    JsonArray created = byList.getJsonArray("created");
    assertEquals(List.of("ob-1", "ob-2"), created.stream()
        .map(v -> v.asJsonObject().getString("id")).toList());
    JsonArray errors = byList.getJsonArray("errors");
    assertEquals(3, errors.size(), errors::toString);
    int[][] expected = {{1, 10405}, {2, 10415}, {3, 10002}};
    for (int k = 0; k < expected.length; k++) {
      assertEquals(expected[k][0], errors.getJsonObject(k).getInt("index"), errors::toString);
      assertEquals(expected[k][1], errors.getJsonObject(k).getInt("code"), errors::toString);
      assertFalse(errors.getJsonObject(k).getString("message").isEmpty());
    }
    assertEquals("ob-taken", errors.getJsonObject(0).getString("id"));
    // bad bodies are refused whole, in the v4 envelope
    assertError(api.send("POST", batch, "{\"count\":0}"), 400, 10002, "'count'");
    assertError(api.send("POST", batch, "{\"count\":101}"), 400, 10002, "'count'");
    assertError(api.send("POST", batch, "{\"count\":1,\"instances\":[]}"), 400, 10002, "both");
    assertError(api.send("POST", batch, "{\"instances\":[],\"x\":1}"), 400, 10002,
        "unknown field 'x'");
    assertError(api.send("POST", batch, "{\"instances\":[]}"), 400, 10002, "1 to 100");
    assertError(api.send("POST", batch, "{\"instances\":[{\"id\":\"x\"}]}"), 400, 10002,
        "instances[0] has an unknown field 'id'");
    assertError(api.send("POST", batch, "{\"count\":2,\"instance_retention\":"
        + "{\"success_retention\":\"soon\"}}"), 400, 10002, "success_retention");
    // instance_retention on a single create, as Cloudflare's create body has it
    assertEquals("ret-1", create("approval", "{\"instance_id\":\"ret-1\","
        + "\"instance_retention\":{\"error_retention\":\"30 days\"}}"));
    assertError(api.send("POST", path, "{\"instance_retention\":{\"success_retention\":-5}}"),
        400, 10002, "instance_retention.success_retention");
    assertError(api.send("POST", path, "{\"instance_retention\":{\"keep\":1}}"), 400, 10002,
        "unknown field 'keep'");
  }

  /** Issue 10 items 6 to 8: a workflow's deployment settings in its details. */
  @Test
  void workflowDetailsShowSchedulesLimitAndRetention() {
    JsonObject parent = ok(api.get("/workflows/parent")).getJsonObject("result");
    assertEquals(List.of("0 0 1 1 *", "30 9 * * MON-FRI"), parent.getJsonArray("schedules")
        .stream().map(v -> v.asJsonObject().getString("cron")).toList());
    assertEquals(7, parent.getJsonObject("concurrency").getInt("limit"));
    assertEquals(2L * 24 * 3600 * 1000, parent.getJsonObject("default_retention")
        .getJsonNumber("error_retention").longValue());
    JsonObject approval = ok(api.get("/workflows/approval")).getJsonObject("result");
    assertTrue(approval.getJsonArray("schedules").isEmpty());
    assertFalse(approval.containsKey("concurrency"));
  }

  @Test
  void routingErrors() {
    assertError(api.get("/nothing/here"), 404, 10004, "no endpoint");
    assertError(api.send("PUT", "/workflows/approval", "{}"), 405, 10005, "method");
    assertError(api.send("DELETE", "/workflows/approval/instances/x/status", null), 405, 10005,
        "method");
    assertError(api.get("/workflows/approval/instances/missing"), 404, 10400, "missing");
  }

  @Test
  void statusChangesAndEvents() {
    String base = "/workflows/approval/instances/";
    String id = create("approval", "{\"instance_id\":\"st-1\",\"params\":{\"title\":\"t\"}}");
    awaitStatus("approval", id, "waiting");
    assertError(api.send("PATCH", base + id + "/status", "{\"status\":\"fly\"}"), 400, 10002, "fly");
    assertError(api.send("PATCH", base + id + "/status", "{}"), 400, 10002, "required");
    assertError(api.send("PATCH", base + id + "/status", "{\"status\":1}"), 400, 10002, "string");
    assertError(api.send("PATCH", base + id + "/status",
        "{\"status\":\"pause\",\"from\":{\"name\":\"x\"}}"), 400, 10002, "only allowed");
    assertError(api.send("PATCH", base + id + "/status",
        "{\"status\":\"restart\",\"from\":{\"name\":\"x\",\"count\":1.5}}"), 400, 10002, "whole");
    assertError(api.send("PATCH", base + id + "/status",
        "{\"status\":\"restart\",\"from\":{\"name\":\"nope\"}}"), 400, 10002, "nope");
    assertError(api.send("PATCH", base + "missing/status", "{\"status\":\"pause\"}"), 404, 10400,
        "missing");
    assertError(api.send("POST", base + id + "/events/bad.type", "{}"), 400, 10002, "event type");
    assertError(api.send("POST", base + id + "/events/approval", "{nope"), 400, 10002, "JSON");
    assertEquals("paused", ok(api.send("PATCH", base + id + "/status", "{\"status\":\"pause\"}"))
        .getJsonObject("result").getString("status"));
    ok(api.send("PATCH", base + id + "/status", "{\"status\":\"resume\"}"));
    ok(api.send("POST", base + id + "/events/approval", "{\"approved\":true,\"reason\":\"fine\"}"));
    JsonObject d = awaitStatus("approval", id, "complete");
    assertEquals("approved", d.getJsonObject("output").getString("status"));
    JsonArray steps = d.getJsonArray("steps");
    assertEquals("waitForEvent", steps.getJsonObject(1).getString("type"));
    assertEquals("approval", steps.getJsonObject(1).getString("event_type"));
    assertEquals("fine", steps.getJsonObject(1).getJsonObject("output").getString("reason"));
    assertEquals(1, steps.getJsonObject(0).getJsonArray("attempts").size());
    assertEquals(5, steps.getJsonObject(0).getJsonObject("config").getJsonObject("retries")
        .getInt("limit"));
    assertError(api.send("PATCH", base + id + "/status", "{\"status\":\"terminate\"}"), 409, 10409,
        "complete");
    assertError(api.send("POST", base + id + "/events/approval", "{}"), 409, 10409, "complete");
    // restart from the wait: the ticket step is kept, the wait starts over
    ok(api.send("PATCH", base + id + "/status", "{\"status\":\"restart\",\"from\":{\"name\":"
        + "\"wait for approval\",\"type\":\"waitForEvent\"}}"));
    JsonObject again = awaitStatus("approval", id, "waiting");
    assertEquals(2, again.getJsonArray("steps").size());
  }

  @Test
  void terminateWithRollbackRunsTheCompensations() {
    String base = "/workflows/invoice/instances/";
    String id = create("invoice", "{\"instance_id\":\"rb-1\",\"params\":{\"customer\":\"c\","
        + "\"lines\":[{\"product\":\"book\",\"quantity\":2,\"unitCents\":1500}],"
        + "\"grace\":\"1 hour\"}}");
    awaitStatus("invoice", id, "waiting");
    assertError(api.send("PATCH", base + id + "/status",
        "{\"status\":\"terminate\",\"rollback\":\"yes\"}"), 400, 10002, "boolean");
    assertError(api.send("PATCH", base + id + "/status",
        "{\"status\":\"pause\",\"rollback\":true}"), 400, 10002,
        "only allowed with status terminate");
    assertError(api.send("PATCH", base + "missing/status",
        "{\"status\":\"terminate\",\"rollback\":true}"), 404, 10400, "missing");
    assertEquals("rollingBack", ok(api.send("PATCH", base + id + "/status",
        "{\"status\":\"terminate\",\"rollback\":true}")).getJsonObject("result")
        .getString("status"));
    JsonObject d = awaitStatus("invoice", id, "terminated");
    assertEquals("rolledBack", d.getJsonObject("rollback").getString("outcome"));
    assertEquals(JsonValue.NULL, d.get("error"));
    JsonArray steps = d.getJsonArray("steps");
    // charge cart, the grace period (cut short), the charge's compensation, the termination
    JsonObject undo = steps.getJsonObject(2);
    assertEquals("charge cart-1 (rollback)", undo.getString("name"));
    assertEquals("charge cart-1", undo.getString("rollback_of"));
    assertEquals("step", undo.getString("type"));
    assertTrue(undo.getBoolean("success"));
    assertEquals(1, undo.getJsonArray("attempts").size());
    assertEquals("termination", steps.getJsonObject(3).getString("type"));
    assertError(api.send("PATCH", base + id + "/status",
        "{\"status\":\"terminate\",\"rollback\":true}"), 409, 10409, "terminated");
    // a plain terminate still works, and says nothing of a rollback
    String other = create("invoice", "{\"params\":{\"customer\":\"c\",\"lines\":[],"
        + "\"grace\":\"1 hour\"}}");
    awaitStatus("invoice", other, "waiting");
    ok(api.send("PATCH", base + other + "/status", "{\"status\":\"terminate\",\"rollback\":false}"));
    assertEquals(JsonValue.NULL, awaitStatus("invoice", other, "terminated").get("rollback"));
  }

  @Test
  void fullStepOutputsAndSensitiveStepsRedacted() {
    String base = "/workflows/resilient-call/instances/";
    String id = create("resilient-call",
        "{\"instance_id\":\"step-out\",\"params\":{\"failures\":1,\"refuse\":false}}");
    try {
      stepOutputs(base, id);
    } finally {
      // listPagingDeleteAndTerminateAll counts the resilient-call instances
      ok(api.send("POST", base + "batch/delete", "{\"instances\":[\"" + id + "\"]}"));
    }
  }

  private void stepOutputs(String base, String id) {
    JsonObject d = awaitStatus("resilient-call", id, "complete");
    // the api key step is sensitive: recorded, but redacted in the details
    JsonObject key = d.getJsonArray("steps").getJsonObject(0);
    assertEquals("load api key-1", key.getString("name"));
    assertEquals("[REDACTED]", key.getString("output"));
    assertTrue(key.getJsonObject("config").getBoolean("sensitive"));
    assertFalse(d.toString().contains("sk_demo_"), d::toString);
    String step = base + id + "/step?type=step&name=";
    JsonObject k = ok(api.get(step + "load%20api%20key-1")).getJsonObject("result");
    assertEquals("complete", k.getString("status"));
    assertEquals("[REDACTED]", k.getString("output"));
    assertEquals(JsonValue.NULL, k.get("error"));
    JsonObject call = ok(api.get(step + "call%20payment%20service-1")).getJsonObject("result");
    assertEquals("paid on attempt 2", call.getString("output"));
    JsonObject first = ok(api.get(step + "call%20payment%20service-1&attempt=1"))
        .getJsonObject("result");
    assertEquals("errored", first.getString("status"));
    assertEquals("IOException", first.getJsonObject("error").getString("name"));
    assertEquals(JsonValue.NULL, first.get("output"));
    // type defaults to step
    assertEquals("paid on attempt 2", ok(api.get(base + id
        + "/step?name=call%20payment%20service-1")).getJsonObject("result").getString("output"));
    assertError(api.get(base + id + "/step"), 400, 10006, "'name' is required");
    assertError(api.get(step + "call"), 400, 10006, "count");
    assertError(api.get(base + id + "/step?type=sleep&name=x-1"), 400, 10006, "step or waitForEvent");
    assertError(api.get(step + "call%20payment%20service-1&attempt=0"), 400, 10006, "attempt");
    assertError(api.get(step + "call%20payment%20service-1&attempt=9"), 404, 10420, "attempt 9");
    assertError(api.get(step + "nothing-1"), 404, 10420, "nothing-1");
    assertError(api.get(base + id + "/step?type=waitForEvent&name=load%20api%20key-1"), 404, 10420,
        "waitForEvent");
    assertError(api.get(base + "missing/step?name=x-1"), 404, 10400, "missing");
    assertError(api.get("/workflows/nope/instances/x/step?name=x-1"), 404, 10200, "nope");
  }

  @Test
  void listPagingDeleteAndTerminateAll() {
    for (int i = 0; i < 5; i++) {
      create("resilient-call", "{\"instance_id\":\"page-" + i + "\",\"params\":{\"failures\":0}}");
    }
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      Reply r = api.get("/workflows/resilient-call/instances?per_page=2"
          + (cursor == null ? "" : "&cursor=" + cursor));
      JsonObject env = ok(r);
      env.getJsonArray("result").forEach(v -> seen.add(v.asJsonObject().getString("id")));
      JsonObject info = env.getJsonObject("result_info");
      cursor = info.containsKey("cursor") ? info.getString("cursor") : null;
      pages++;
    } while (cursor != null);
    assertEquals(3, pages);
    assertEquals(5, seen.size());
    JsonArray newest = ok(api.get("/workflows/resilient-call/instances/")).getJsonArray("result");
    assertEquals("page-4", newest.getJsonObject(0).getString("id"));
    assertError(api.get("/workflows/resilient-call/instances?cursor=zzz"), 400, 10006, "cursor");
    assertError(api.get("/workflows/resilient-call/instances?status=sleepy"), 400, 10006, "status");
    assertError(api.get("/workflows/resilient-call/instances?date_start=yesterday"), 400, 10006,
        "date_start");
    assertError(api.get("/workflows/resilient-call/instances?direction=up"), 400, 10006,
        "direction");
    // parses as an instant, but is beyond epoch milliseconds: was a 500
    assertError(api.get("/workflows/resilient-call/instances?date_start=%2B999999999-01-01T00:00"
        + ":00Z"), 400, 10006, "date_start is out of range");
    assertEquals(0, ok(api.get("/workflows/resilient-call/instances?date_end=2000-01-01"))
        .getJsonArray("result").size());
    JsonObject del = ok(api.send("POST", "/workflows/resilient-call/instances/batch/delete",
        "{\"instances\":[\"page-0\",\"ghost\"]}")).getJsonObject("result");
    assertEquals("page-0", del.getJsonArray("deleted").getJsonObject(0).getString("id"));
    assertEquals(10400, del.getJsonArray("errors").getJsonObject(0).getInt("code"));
    assertError(api.get("/workflows/resilient-call/instances/page-0"), 404, 10400, "page-0");
    assertError(api.send("POST", "/workflows/resilient-call/instances/batch/delete",
        "{\"instances\":[1]}"), 400, 10002, "strings");
    assertError(api.send("PUT", "/workflows/resilient-call/instances/terminate?status=nah", null),
        400, 10006, "status");
    create("approval", "{\"instance_id\":\"ta-1\",\"params\":{\"title\":\"t\"}}");
    awaitStatus("approval", "ta-1", "waiting");
    ok(api.send("PUT", "/workflows/approval/instances/terminate?status=waiting", null));
    assertEquals("terminated", api.get("/workflows/approval/instances/ta-1").json()
        .getJsonObject("result").getString("status"));
  }

  /** Last: random calls may delete or terminate what other tests expect. */
  @Test
  @Order(Integer.MAX_VALUE)
  void fuzz() {
    new ApiFuzz(api, server.apiBase(), ServerProcess.TOKEN, 400,
        Long.getLong("fuzz.seed", System.nanoTime())).run();
  }

  @Test
  void instanceEventsAsServerSentEvents() throws Exception {
    String base = "/workflows/approval/instances/";
    String id = create("approval", "{\"instance_id\":\"sse-1\",\"params\":{\"title\":\"t\"}}");
    Sse live = Sse.open(server.apiBase() + "/accounts/acc" + base + id + "/subscribe",
        ServerProcess.TOKEN, null);
    assertEquals(200, live.status);
    assertTrue(live.contentType.startsWith("text/event-stream"), live.contentType);
    List<Sse.Event> seen = new ArrayList<>();
    Sse.Event wait = live.until(seen, "wait_started");
    JsonObject w = wait.json();
    assertEquals("sse-1", w.getString("instanceId"));
    assertEquals("wait for approval", w.getString("stepName"));
    assertEquals("approval", w.getString("eventType"));
    assertEquals(Long.parseLong(wait.id()), w.getJsonNumber("eventId").longValue());
    assertEquals(JsonValue.ValueType.OBJECT, seen.get(1).json().get("params").getValueType());
    ok(api.send("POST", base + id + "/events/approval", "{\"approved\":true,\"reason\":\"ok\"}"));
    live.until(seen, "workflow_completed");
    assertTrue(live.ended(), "the stream closes after the terminal event");
    JsonObject done = seen.get(seen.size() - 1).json();
    assertEquals("approved", done.getJsonObject("output").getString("status"));
    // resuming with Last-Event-ID: exactly what came after, nothing twice
    List<String> after = seen.subList(seen.indexOf(wait) + 1, seen.size()).stream()
        .filter(e -> !e.type().equals("workflow_running") && !e.type().equals("workflow_waiting"))
        .map(Sse.Event::type).toList();
    Sse resumed = Sse.open(server.apiBase() + "/accounts/acc" + base + id + "/subscribe",
        ServerProcess.TOKEN, wait.id());
    List<Sse.Event> rest = new ArrayList<>();
    resumed.until(rest, "workflow_completed");
    assertEquals(after, rest.stream().map(Sse.Event::type).toList());
    assertEquals(List.of("wait_completed", "step_started", "attempt_started", "attempt_completed",
        "step_completed", "workflow_completed"), after);
    // a filter on types, through the query
    Sse filtered = Sse.open(server.apiBase() + "/accounts/acc" + base + id
        + "/subscribe?types=step_completed,workflow_completed", ServerProcess.TOKEN, null);
    List<Sse.Event> few = new ArrayList<>();
    filtered.until(few, "workflow_completed");
    assertEquals(List.of("step_completed", "step_completed", "workflow_completed"),
        few.stream().map(Sse.Event::type).toList());
    // the same errors as the rest of the API
    String url = server.apiBase() + "/accounts/acc" + base;
    assertEquals(401, Sse.open(url + id + "/subscribe", "wrong-token", null).status);
    Sse missing = Sse.open(url + "nope/subscribe", ServerProcess.TOKEN, null);
    assertEquals(404, missing.status);
    assertTrue(missing.body().contains("10400"), missing.body());
    Sse bad = Sse.open(url + id + "/subscribe", ServerProcess.TOKEN, "x");
    assertEquals(400, bad.status);
    assertTrue(bad.body().contains("Last-Event-ID"), bad.body());
    Sse badType = Sse.open(url + id + "/subscribe?types=nap", ServerProcess.TOKEN, null);
    assertEquals(400, badType.status);
    assertTrue(badType.body().contains("unknown event type 'nap'"), badType.body());
  }

  @Test
  void theDashboardIsServedAtTheRoot() throws Exception {
    var http = Http.client();
    for (String path : List.of("/", "/index.html")) {
      var r = http.send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create(server.baseUrl() + path)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), path);
      assertTrue(r.body().contains("<title>Steadfast</title>"), path + ": " + r.body());
    }
    var js = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(server.baseUrl() + "/app/main.js")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, js.statusCode());
    assertTrue(js.headers().firstValue("Content-Type").orElse("").contains("javascript"),
        js.headers().toString());
  }

  @Test
  void workflowVersionGraph() {
    JsonObject version = ok(api.get("/workflows/approval/versions")).getJsonArray("result")
        .getJsonObject(0);
    String path = "/workflows/approval/versions/" + version.getString("id") + "/graph";
    JsonObject r = ok(api.get(path)).getJsonObject("result");
    assertEquals(version.getString("id"), r.getString("id"));
    assertEquals("dev.steadfast.examples.ApprovalWorkflow", r.getString("class_name"));
    JsonObject wf = r.getJsonObject("graph").getJsonObject("workflow");
    assertEquals(1, r.getJsonObject("graph").getInt("version"));
    JsonArray nodes = wf.getJsonArray("nodes");
    assertEquals("step_do", nodes.getJsonObject(0).getString("type"));
    assertEquals("open ticket", nodes.getJsonObject(0).getString("name"));
    assertEquals("try", nodes.getJsonObject(1).getString("type"));
    assertEquals(r.getJsonObject("graph"), ok(api.get("/workflows/approval/versions/latest/graph"))
        .getJsonObject("result").getJsonObject("graph"));
    assertError(api.get("/workflows/approval/versions/not-this-one/graph"), 404, 10200,
        "not-this-one");
    assertError(api.get("/workflows/nope/versions/latest/graph"), 404, 10200, "nope");
  }

  @Test
  void metricsInPrometheusTextBehindTheToken() throws Exception {
    var http = Http.client();
    java.util.function.Function<String, java.net.http.HttpResponse<String>> scrape = token -> {
      var b = java.net.http.HttpRequest.newBuilder(
          java.net.URI.create(server.apiBase() + "/metrics"))
          .header("Accept", "text/plain;version=0.0.4;q=0.4,*/*;q=0.1");
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      try {
        return http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    assertEquals(401, scrape.apply(null).statusCode());
    assertEquals(401, scrape.apply("wrong").statusCode());
    String retried = "steadfast_attempts_retried_total{workflow=\"resilient-call\"}";
    String complete = "steadfast_instances{workflow=\"resilient-call\",status=\"complete\"}";
    var before = new dev.steadfast.workflow.engine.metrics.Scrape(
        scrape.apply(ServerProcess.TOKEN).body());
    // one failure, then success after a 1 s retry delay
    String id = create("resilient-call", "{\"params\":{\"failures\":1,\"refuse\":false}}");
    awaitStatus("resilient-call", id, "complete");
    var r = scrape.apply(ServerProcess.TOKEN);
    assertEquals(200, r.statusCode(), r::body);
    String type = r.headers().firstValue("Content-Type").orElse("").replace(" ", "");
    assertTrue(type.startsWith("text/plain;") && type.contains(";version=0.0.4"), type);
    var after = new dev.steadfast.workflow.engine.metrics.Scrape(r.body());
    assertEquals(before.value(complete) + 1, after.value(complete));
    assertEquals((before.get(retried) == null ? 0 : before.get(retried)) + 1,
        after.value(retried));
    assertEquals(1, after.value("steadfast_database_up"));
    assertNotNull(after.get("steadfast_agent_connections"), "the agents' metrics are included");
  }

  static JsonObject awaitStatus(String workflow, String id, String status) {
    long deadline = System.currentTimeMillis() + 30_000;
    JsonObject d = null;
    while (System.currentTimeMillis() < deadline) {
      d = ok(api.get("/workflows/" + workflow + "/instances/" + id)).getJsonObject("result");
      if (d.getString("status").equals(status)) {
        return d;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError(id + " did not become " + status + ": " + d);
  }
}
