package dev.steadfast.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.testing.ApiClient;
import dev.steadfast.testing.ServerProcess;
import jakarta.json.JsonArray;
import dev.steadfast.testing.Wrangler;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The unmodified wrangler CLI (src/test/e2e/wrangler, pinned in package-lock.json) against a real
 * server: asserts on what wrangler prints and, through the API, on the instances' real state.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WranglerIT {
  static final String ACCOUNT = "e2e-account";
  static ServerProcess server;
  static ApiClient api;
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    dir = Wrangler.installed();
    server = ServerProcess.start("wrangler", Map.of("STEADFAST_ACCOUNT_ID", ACCOUNT,
        "STEADFAST_WORKFLOW_PARENT_SCHEDULES", "0 0 1 1 *"));
    api = new ApiClient(server.apiBase() + "/accounts/" + ACCOUNT, ServerProcess.TOKEN);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Runs wrangler with the given arguments; its output (stdout and stderr) is returned. */
  static Wrangler.Run wrangler(String... args) {
    return new Wrangler(dir, server, ACCOUNT).run(args);
  }

  static String ok(String... args) {
    Wrangler.Run r = wrangler(args);
    assertEquals(0, r.exit(), () -> String.join(" ", args) + " failed:\n" + r.out());
    return r.out();
  }

  static void contains(String out, String... parts) {
    for (String p : parts) {
      assertTrue(out.contains(p), () -> "expected '" + p + "' in:\n" + out);
    }
  }

  static JsonObject instance(String workflow, String id) {
    return api.get("/workflows/" + workflow + "/instances/" + id).json();
  }

  static String status(String workflow, String id) {
    return instance(workflow, id).getJsonObject("result").getString("status");
  }

  static JsonObject await(String workflow, String id, String expected) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      JsonObject r = instance(workflow, id);
      if (r.getBoolean("success") && r.getJsonObject("result").getString("status").equals(expected)) {
        return r.getJsonObject("result");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError(id + " did not become " + expected + ": " + instance(workflow, id));
  }

  @Test
  @Order(1)
  void listAndDescribeWorkflows() {
    contains(ok("workflows", "list"), "approval", "processing", "invoice", "resilient-call", "parent");
    contains(ok("workflows", "describe", "approval"), "approval",
        "dev.steadfast.examples.ApprovalWorkflow");
    // a workflow's cron schedules (configured here) are in describe's JSON, as on Cloudflare
    contains(ok("workflows", "describe", "parent", "--json"), "\"schedules\"", "0 0 1 1 *");
  }

  @Test
  @Order(2)
  void triggerListAndDescribeInstances() {
    contains(ok("workflows", "trigger", "processing", "{\"items\":[\"a\",\"b\"],\"millisPerItem\":10}",
        "--id", "wr-proc-1"), "wr-proc-1");
    JsonObject done = await("processing", "wr-proc-1", "complete");
    assertEquals(2, done.getJsonObject("output").getInt("processed"));
    ok("workflows", "trigger", "resilient-call");
    JsonArray calls = api.get("/workflows/resilient-call/instances").json().getJsonArray("result");
    assertEquals(1, calls.size());
    // its first step is sensitive: wrangler prints "[REDACTED]" for its output
    String call = calls.getJsonObject(0).getString("id");
    long until = System.currentTimeMillis() + 20_000;
    while (api.get("/workflows/resilient-call/instances/" + call).json().getJsonObject("result")
        .getJsonArray("steps").isEmpty() && System.currentTimeMillis() < until) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    String described = ok("workflows", "instances", "describe", "resilient-call", call);
    contains(described, "load api key-1", "[REDACTED]");
    assertFalse(described.contains("sk_demo_"), described);
    ok("workflows", "trigger", "processing", "{\"items\":[\"c\"],\"millisPerItem\":10}", "--id",
        "wr-proc-2");
    await("processing", "wr-proc-2", "complete");

    contains(ok("workflows", "instances", "list", "processing"), "wr-proc-1", "wr-proc-2");
    contains(ok("workflows", "instances", "list", "processing", "--status", "complete"), "wr-proc-1");
    contains(ok("workflows", "instances", "list", "processing", "--status", "errored"),
        "No instances");
    contains(ok("workflows", "instances", "list", "processing", "--date-start", "2000-01-01",
        "--date-end", "2000-01-02"), "No instances");
    // newest first: page 2 of size 1 is the older instance, reached through the cursor
    String page2 = ok("workflows", "instances", "list", "processing", "--per-page", "1", "--page", "2");
    contains(page2, "wr-proc-1");
    assertFalse(page2.contains("wr-proc-2"), page2);
    contains(ok("workflows", "instances", "list", "processing", "--per-page", "1", "--page", "3"),
        "No instances found on page 3");

    contains(ok("workflows", "instances", "describe", "processing", "wr-proc-1"),
        "list items-1", "process item-1", "process item-2", "summarize-1");
    contains(ok("workflows", "instances", "describe", "processing", "latest"), "wr-proc-2",
        "process item-1");
    Wrangler.Run missing = wrangler("workflows", "instances", "describe", "processing", "nope");
    assertEquals(1, missing.exit(), missing.out());
    contains(missing.out(), "instance 'nope' not found [code: 10400]");
  }

  @Test
  @Order(3)
  void pauseResumeSendEventRestartDelete() {
    ok("workflows", "trigger", "approval", "{\"title\":\"laptop\"}", "--id", "wr-appr-1");
    await("approval", "wr-appr-1", "waiting");
    ok("workflows", "instances", "pause", "approval", "wr-appr-1");
    assertEquals("paused", status("approval", "wr-appr-1"));
    ok("workflows", "instances", "resume", "approval", "wr-appr-1");
    await("approval", "wr-appr-1", "waiting");
    ok("workflows", "instances", "send-event", "approval", "wr-appr-1", "--type", "approval",
        "--payload", "{\"approved\":true,\"reason\":\"budget ok\"}");
    JsonObject done = await("approval", "wr-appr-1", "complete");
    assertEquals("approved", done.getJsonObject("output").getString("status"));
    assertEquals("budget ok", done.getJsonObject("output").getString("reason"));

    ok("workflows", "instances", "restart", "approval", "wr-appr-1", "--from-step-name",
        "wait for approval", "--from-step-type", "waitForEvent");
    JsonObject again = await("approval", "wr-appr-1", "waiting");
    assertEquals(2, again.getJsonArray("steps").size(), again::toString);
    assertEquals("open ticket-1", again.getJsonArray("steps").getJsonObject(0).getString("name"));

    ok("workflows", "trigger", "approval", "{\"title\":\"desk\"}", "--id", "wr-appr-2");
    await("approval", "wr-appr-2", "waiting");
    ok("workflows", "instances", "terminate", "approval", "wr-appr-2");
    assertEquals("terminated", status("approval", "wr-appr-2"));
    contains(ok("workflows", "instances", "describe", "approval", "wr-appr-2"), "Termination");
    ok("workflows", "instances", "restart", "approval", "wr-appr-2");
    await("approval", "wr-appr-2", "waiting");

    ok("workflows", "instances", "delete", "approval", "wr-appr-1");
    assertEquals(10400, instance("approval", "wr-appr-1").getJsonArray("errors").getJsonObject(0)
        .getInt("code"));
  }

  @Test
  @Order(4)
  void terminateWithRollbackRunsTheCompensationsOfTheProcessedItems() {
    // ten items of 2 s: still running when wrangler's terminate arrives
    ok("workflows", "trigger", "processing", "{\"items\":[\"a\",\"b\",\"c\",\"d\",\"e\","
        + "\"f\",\"g\",\"h\",\"i\",\"j\"],\"millisPerItem\":2000}", "--id", "wr-rb-1");
    long deadline = System.currentTimeMillis() + 30_000;
    while (instance("processing", "wr-rb-1").getJsonObject("result").getJsonArray("steps")
        .size() < 2) {
      assertTrue(System.currentTimeMillis() < deadline, "the first item did not start");
      pause(50);
    }
    contains(ok("workflows", "instances", "terminate", "processing", "wr-rb-1", "--rollback",
        "--json"), "\"status\": \"rollingBack\"");
    JsonObject d = await("processing", "wr-rb-1", "terminated");
    assertEquals("rolledBack", d.getJsonObject("rollback").getString("outcome"));
    // the item in flight finished, no item started after it, and each processed item's output
    // was discarded again, last first
    List<String> processed = new ArrayList<>();
    List<String> undone = new ArrayList<>();
    for (JsonValue v : d.getJsonArray("steps")) {
      JsonObject step = v.asJsonObject();
      String name = step.getString("name", "");
      if (name.endsWith(" (rollback)")) {
        undone.add(step.getString("rollback_of"));
      } else if (name.startsWith("process item")) {
        assertTrue(step.getBoolean("success"), step::toString);
        processed.add(name);
      }
    }
    assertTrue(processed.size() >= 1 && processed.size() < 10, processed::toString);
    List<String> reversed = new ArrayList<>(processed);
    java.util.Collections.reverse(reversed);
    assertEquals(reversed, undone);
    contains(ok("workflows", "instances", "describe", "processing", "wr-rb-1"),
        "process item-1 (rollback)", "Termination");
  }

  static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  @Order(5)
  void terminateAllAndDeleteWorkflow() {
    ok("workflows", "trigger", "approval", "{\"title\":\"a\"}", "--id", "wr-appr-3");
    ok("workflows", "trigger", "approval", "{\"title\":\"b\"}", "--id", "wr-appr-4");
    await("approval", "wr-appr-3", "waiting");
    await("approval", "wr-appr-4", "waiting");
    ok("workflows", "instances", "terminate-all", "approval", "--status", "waiting");
    for (String id : List.of("wr-appr-2", "wr-appr-3", "wr-appr-4")) {
      assertEquals("terminated", status("approval", id), id);
    }
    ok("workflows", "trigger", "invoice", "{\"customer\":\"c\",\"lines\":[],\"grace\":\"1 hour\"}",
        "--id", "wr-inv-1");
    ok("workflows", "delete", "invoice");
    assertEquals(0, api.get("/workflows/invoice/instances").json().getJsonArray("result").size());
  }
}
