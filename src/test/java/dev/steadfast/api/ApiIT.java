package dev.steadfast.api;

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
    server = ServerProcess.start("api", Map.of("STEADFAST_ACCOUNT_ID", "acc"));
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
    assertError(api.send("POST", batch, "{}"), 400, 10002, "must be a JSON array");
    JsonArray made = ok(api.send("POST", batch,
        "[{\"instance_id\":\"b-1\"},{\"instance_id\":\"dup-1\"}]")).getJsonArray("result");
    assertEquals(1, made.size());
    assertEquals("b-1", made.getJsonObject(0).getString("id"));
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
    var http = java.net.http.HttpClient.newHttpClient();
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
