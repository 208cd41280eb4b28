package dev.steadfast.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.testing.ApiClient;
import dev.steadfast.testing.ServerProcess;
import dev.steadfast.testing.SharedServer;
import jakarta.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The dashboard at / in headless Chromium against a real server: what a person signing in with
 * an API token sees and does. Screenshots (desktop, 360 px, dark) go to target/screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {
  static ServerProcess server;
  static ApiClient api;
  static Chromium browser;
  static final Path SHOTS = Path.of("target", "screenshots");

  @BeforeAll
  static void start() {
    Chromium.requireInstalled();
    server = SharedServer.get("dashboard");
    api = new ApiClient(server.apiBase() + "/accounts/" + SharedServer.ACCOUNT, ServerProcess.TOKEN);
    create("approval", "{\"instance_id\":\"laptop\",\"params\":{\"title\":\"Laptop\",\"amount\":1200}}");
    create("resilient-call", "{\"instance_id\":\"flaky\",\"params\":{\"failures\":1,\"refuse\":false}}");
    browser = Chromium.start("dashboard");
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (server != null) {
      SharedServer.release(server);
    }
  }

  static String create(String workflow, String body) {
    ApiClient.Reply r = api.send("POST", "/workflows/" + workflow + "/instances", body);
    assertEquals(200, r.status(), r::toString);
    return r.json().getJsonObject("result").getString("id");
  }

  static JsonObject details(String workflow, String id) {
    return api.get("/workflows/" + workflow + "/instances/" + id).json().getJsonObject("result");
  }

  static void open(String hash) {
    browser.driver().get(server.baseUrl() + "/" + hash);
  }

  static WebElement find(String css) {
    return browser.await(css, d -> d.findElements(By.cssSelector(css)).stream().findFirst()
        .orElse(null));
  }

  /** The element's text, read in one script (the page redraws parts of itself as events come). */
  static String textOf(String css) {
    Object t = browser.js("const e = document.querySelector(arguments[0]);"
        + " return e ? e.textContent : '';", css);
    return t == null ? "" : t.toString();
  }

  static void awaitText(String css, String text) {
    browser.await("'" + text + "' in " + css, d -> textOf(css).contains(text));
  }

  static void click(String css) {
    browser.await("a click on " + css, d -> {
      try {
        d.findElement(By.cssSelector(css)).click();
        return true;
      } catch (org.openqa.selenium.StaleElementReferenceException
          | org.openqa.selenium.NoSuchElementException e) {
        return false; // redrawn between finding and clicking: find it again
      }
    });
  }

  @Test
  @Order(1)
  void aWrongTokenIsRefusedAndNothingIsShown() {
    open("");
    find("#token").sendKeys("not-the-token");
    find("#token").sendKeys(Keys.ENTER);
    awaitText("#signin-error", "not accepted");
    assertTrue(browser.driver().findElements(By.cssSelector("table.list")).isEmpty());
    assertFalse(browser.driver().getCurrentUrl().contains("not-the-token"));
    browser.screenshot(SHOTS.resolve("signin-refused.png"));
  }

  @Test
  @Order(2)
  void signInWithTheKeyboardAndSeeTheDemoInstances() {
    open("");
    WebElement token = find("#token");
    token.clear();
    token.sendKeys(ServerProcess.TOKEN, Keys.ENTER);
    awaitText("main h1", "Workflows");
    assertFalse(browser.driver().getCurrentUrl().contains(ServerProcess.TOKEN));
    assertEquals(ServerProcess.TOKEN, browser.js("return sessionStorage.getItem('steadfast.token')"));
    awaitText("table.list", "approval");
    browser.screenshot(SHOTS.resolve("workflows-desktop.png"));
    browser.driver().findElement(By.linkText("approval")).click();
    awaitText("#instances", "laptop");
    awaitText("#instances", "waiting");
    browser.screenshot(SHOTS.resolve("instances-desktop.png"));
  }

  /** The processing instance of {@link #anInstancesStepsAppearLive}. */
  static String processingId;

  @Test
  @Order(3)
  void anInstancesStepsAppearLive() {
    String id = create("processing",
        "{\"params\":{\"items\":[\"a\",\"b\",\"c\",\"d\",\"e\"],\"millisPerItem\":1000}}");
    processingId = id;
    // paused at once (it stops after the step under way), so the page is open before the run
    // goes on, however slow the machine: what follows can only arrive live
    api.send("PATCH", "/workflows/processing/instances/" + id + "/status",
        "{\"status\":\"pause\"}");
    browser.await("paused", d -> "paused".equals(details("processing", id).getString("status")));
    open("#/workflows/processing/instances/" + id);
    awaitText("#status", "paused");
    awaitText("#live", "live");
    int early = rows("process item");
    assertTrue(early < 5, "all the steps ran before the page was open: " + early);
    api.send("PATCH", "/workflows/processing/instances/" + id + "/status",
        "{\"status\":\"resume\"}");
    awaitText("#status", "complete");
    assertEquals(5, rows("process item"));
    assertEquals(1, rows("summarize"));
    assertTrue(textOf("#event-log").contains("workflow_completed"));
    browser.screenshot(SHOTS.resolve("instance-desktop.png"));
  }

  /** Lets the page's one-second redraw run. */
  static final class EngineSleep {
    static void sleep(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  static int rows(String step) {
    return browser.driver().findElements(By.cssSelector("li.row[data-step='" + step + "']")).size();
  }

  @Test
  @Order(4)
  void retriesShowTheirFailedAttempts() {
    open("#/workflows/resilient-call/instances/flaky");
    awaitText("#status", "complete");
    awaitText("#timeline", "1 failed attempt");
  }

  @Test
  @Order(5)
  void approveAWaitThenRestartFromItAndRejectBySendingAnEvent() {
    open("#/workflows/approval/instances/laptop");
    awaitText("#status", "waiting");
    browser.screenshot(SHOTS.resolve("approval-waiting.png"));
    // keyboard: the focus stays on Approve while the live timeline redraws, Enter presses it
    browser.await("Approve focused", d -> browser.js("const b = document.querySelector("
        + "\"li.row[data-step='wait for approval'] button.primary\"); if (b) b.focus();"
        + " return !!b && document.activeElement === b;"));
    EngineSleep.sleep(2_500);
    assertEquals("waitForEvent:wait for approval-1:approve",
        browser.js("return document.activeElement.dataset.focusKey"));
    browser.await("Enter on Approve", d -> {
      try {
        d.switchTo().activeElement().sendKeys(Keys.ENTER);
        return true;
      } catch (org.openqa.selenium.StaleElementReferenceException
          | org.openqa.selenium.ElementNotInteractableException e) {
        return false; // redrawn at that moment: the focus comes back to the new button
      }
    });
    awaitText("#status", "complete");
    assertEquals("approved", details("approval", "laptop").getJsonObject("output")
        .getString("status"));
    // restart from the wait: the ticket step is kept, the wait starts over
    click("li.row[data-step='wait for approval'] button.ghost");
    awaitText("#status", "waiting");
    browser.await("the new run's wait", d -> rows("wait for approval") == 1 && rows("execute") == 0);
    assertEquals(2, details("approval", "laptop").getJsonArray("steps").size());
    find("#ev-type").sendKeys("approval");
    WebElement payload = find("#ev-payload");
    payload.clear();
    payload.sendKeys("{\"approved\": false, \"reason\": \"too dear\"}");
    click("#send-event button[type=submit]");
    awaitText("#status", "complete");
    JsonObject out = details("approval", "laptop").getJsonObject("output");
    assertEquals("rejected", out.getString("status"));
    assertEquals("too dear", out.getString("reason"));
  }

  @Test
  @Order(6)
  void triggerChecksTheParamsBeforeSending() {
    open("#/workflows/approval/trigger");
    find("#t-id").sendKeys("from-the-page");
    WebElement params = find("#t-params");
    params.clear();
    params.sendKeys("{\"title\": \"Desk\",");
    click("form button[type=submit]");
    awaitText("#t-error", "not valid JSON");
    assertEquals(404, api.get("/workflows/approval/instances/from-the-page").status());
    params.clear();
    params.sendKeys("{\"title\": \"Desk\", \"amount\": 300}");
    click("form button[type=submit]");
    awaitText("main h1", "from-the-page");
    awaitText("#status", "waiting");
    assertEquals("Desk", details("approval", "from-the-page").getJsonObject("params")
        .getString("title"));
  }

  static String stateOf(String step) {
    Object s = browser.js("const e = document.querySelector(\"#instance-diagram li.dg-step[data-step='\""
        + " + arguments[0] + \"']\"); return e ? e.dataset.state : null;", step);
    return s == null ? null : s.toString();
  }

  @Test
  @Order(7)
  void theCodeDiagramColoursAnInstancesSteps() {
    // a finished run: the step in the loop ran five times, every step succeeded
    open("#/workflows/processing/instances/" + processingId);
    awaitText("#status", "complete");
    browser.await("the diagram", d -> "succeeded".equals(stateOf("summarize")));
    assertEquals("succeeded", stateOf("list items"));
    assertEquals("succeeded", stateOf("process item"));
    assertTrue(textOf("#instance-diagram .dg-loop").contains("×5"), textOf("#instance-diagram"));
    // a waiting run: the wait is waiting inside its try block; the branches not taken did not run
    open("#/workflows/approval/instances/from-the-page");
    awaitText("#status", "waiting");
    browser.await("the wait coloured", d -> "waiting".equals(stateOf("wait for approval")));
    assertEquals("succeeded", stateOf("open ticket"));
    assertEquals("not-run", stateOf("execute"));
    assertEquals("not-run", stateOf("escalate"));
    assertTrue(textOf("#instance-diagram .dg-try").contains("catch EventTimeoutException"));
    browser.screenshot(SHOTS.resolve("diagram-instance.png"));
    // a workflow's diagram on its page, opened with the keyboard
    open("#/workflows/invoice");
    find("#workflow-diagram summary").sendKeys(Keys.ENTER);
    awaitText("#workflow-diagram", "grace period");
    awaitText("#workflow-diagram", "send invoice");
  }

  /** A WebSocket client of an agent, as the agents npm client would be. */
  static final class AgentClient implements java.net.http.WebSocket.Listener {
    final List<String> frames = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    java.net.http.WebSocket ws;

    static AgentClient open(String path) throws Exception {
      AgentClient c = new AgentClient();
      c.ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(java.net.URI.create(server.baseUrl().replace("http", "ws") + path), c)
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
      return c;
    }

    @Override
    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w,
        CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        frames.add(partial.toString());
        partial.setLength(0);
      }
      w.request(1);
      return null;
    }

    String call(String id, String method, String args) {
      ws.sendText("{\"type\":\"rpc\",\"id\":\"" + id + "\",\"method\":\"" + method
          + "\",\"args\":" + args + "}", true).join();
      String reply = "\"id\":\"" + id + "\"";
      java.util.function.Predicate<String> isReply = f -> f.contains("\"type\":\"rpc\"")
          && f.contains(reply) && f.contains("\"done\":true");
      browser.await("the reply to " + method, d -> frames.stream().anyMatch(isReply));
      return frames.stream().filter(isReply).findFirst().orElseThrow();
    }
  }

  @Test
  @Order(8)
  void theAgentsViewShowsStateSchedulesConnectionsAndTrackedWorkflows() throws Exception {
    // the shared server admits demo-agent clients with its demo token, as the demo page does
    AgentClient counter =
        AgentClient.open("/agents/counter-agent/dash?token=" + SharedServer.DEMO_TOKEN);
    AgentClient tasks =
        AgentClient.open("/agents/task-agent/dash?token=" + SharedServer.DEMO_TOKEN);
    try {
      counter.call("1", "increment", "[3]");
      counter.call("2", "remindIn", "[3600, \"stand up\"]");
      String started = tasks.call("3", "startApproval", "[\"Desk lamp\", 40, 3600]");
      String workflowId = jakarta.json.Json.createReader(new java.io.StringReader(started))
          .readObject().getString("result");
      open("#/agents");
      awaitText("main h1", "Agents");
      awaitText("section[data-agent='counter-agent']", "dash");
      click("section[data-agent='counter-agent'] a[href$='/dash']");
      awaitText("#agent-state", "\"count\": 3");
      awaitText("#agent-schedules", "remind");
      awaitText("main .facts", "Connections");
      browser.screenshot(SHOTS.resolve("agent-instance.png"));
      // live: a change made meanwhile shows without reloading the page
      counter.call("4", "increment", "[4]");
      awaitText("#agent-state", "\"count\": 7");
      // the workflows an agent started link to their instance pages
      open("#/agents/task-agent/dash");
      awaitText("#agent-workflows", workflowId);
      click("#agent-workflows a.tracked");
      awaitText("main h1", workflowId);
      awaitText("#status", "waiting");
    } finally {
      counter.ws.abort();
      tasks.ws.abort();
    }
  }

  @Test
  @Order(9)
  void narrowAndDark() {
    browser.viewport(360, 780);
    open("#/workflows/approval/instances/laptop");
    awaitText("#status", "complete");
    browser.screenshot(SHOTS.resolve("instance-360.png"));
    open("#/workflows/approval");
    awaitText("#instances", "laptop");
    Object overflow = browser.js("return document.documentElement.scrollWidth");
    assertTrue(((Number) overflow).intValue() <= 360, "no horizontal scroll at 360 px: " + overflow);
    browser.screenshot(SHOTS.resolve("instances-360.png"));
    open("#/agents/counter-agent/dash");
    awaitText("#agent-state", "count");
    overflow = browser.js("return document.documentElement.scrollWidth");
    assertTrue(((Number) overflow).intValue() <= 360, "agents at 360 px: " + overflow);
    browser.screenshot(SHOTS.resolve("agent-360.png"));
    browser.colorScheme("dark");
    browser.viewport(1280, 900);
    open("#/workflows/processing");
    awaitText("#instances", "complete");
    browser.screenshot(SHOTS.resolve("instances-dark.png"));
    open("#/");
    awaitText("table.list", "approval");
    browser.screenshot(SHOTS.resolve("workflows-dark.png"));
  }
}
