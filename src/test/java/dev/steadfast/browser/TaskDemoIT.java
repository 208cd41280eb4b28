package dev.steadfast.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.testing.ServerProcess;
import dev.steadfast.testing.SharedServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.Select;

/**
 * The Workflows panel of the demo page (/demo/, panels/tasks.js) in real headless Chromium
 * against the real WAR: a person starts the seeds' workflows through the TaskAgent, watches
 * progress arrive, approves and rejects, and a second tab on the same room sees the same tasks
 * and state live. Screenshots go to target/screenshots/tasks-*.png.
 */
class TaskDemoIT {
  private static final Path SHOTS =
      Path.of(System.getProperty("steadfast.target", "target"), "screenshots");
  /** A task row as a person reads it (by its title, which each test makes unique). */
  private static final String TASK = """
      const li = [...document.querySelectorAll('[data-role=task]')]
          .find((l) => l.querySelector('[data-role=task-title]').textContent === arguments[0]);
      if (!li) return null;
      const text = (s) => li.querySelector(s).textContent;
      const shown = (s) => !li.querySelector(s).hidden;
      return { id: li.dataset.id, kind: text('[data-role=task-kind]'),
        status: text('[data-role=task-status]'), percent: text('[data-role=task-percent]'),
        message: shown('[data-role=task-message]') ? text('[data-role=task-message]') : null,
        messages: [...li.querySelectorAll('[data-role=task-messages] li')].map((x) => x.textContent),
        result: shown('[data-role=task-result]') ? text('[data-role=task-result] code') : null,
        error: shown('[data-role=task-error]') ? text('[data-role=task-error]') : null,
        canDecide: !li.querySelector('.decide').hidden };
      """;
  private static ServerProcess server;

  @BeforeAll
  static void startServer() {
    Chromium.requireInstalled();
    server = SharedServer.get("task-demo");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      SharedServer.release(server);
    }
  }

  @Test
  void progressArrivesLiveThenCompletionAndTheAgentStateFollows() {
    String room = "progress-" + System.nanoTime();
    try (Chromium browser = Chromium.start("tasks-progress")) {
      open(browser, room);
      // every percent the page ever shows for a task, recorded by the page itself
      browser.js("""
          window.percentsSeen = [];
          new MutationObserver(() => {
            for (const p of document.querySelectorAll('[data-role=task-percent]')) {
              if (window.percentsSeen.at(-1) !== p.textContent) window.percentsSeen.push(p.textContent);
            }
          }).observe(document.querySelector('[data-role=tasks]'),
              { subtree: true, childList: true, characterData: true });
          """);
      start(browser, "data", Map.of("items", "a1, b2, c3, d4, e5, f6"));
      Map<String, Object> t = awaitTask(browser, "6 items", "complete");
      assertEquals("Data processing", t.get("kind"));
      assertEquals("100 %", t.get("percent"));
      assertEquals("{\"processed\":6}", t.get("result"));
      @SuppressWarnings("unchecked")
      List<String> seen = (List<String>) browser.js("return window.percentsSeen");
      List<Integer> percents = new ArrayList<>();
      for (String s : seen) {
        if (s.endsWith(" %")) {
          percents.add(Integer.parseInt(s.replace(" %", "")));
        }
      }
      assertTrue(percents.stream().filter(p -> p > 0 && p < 100).count() >= 3,
          "progress shown on its way, not only at the end: " + seen);
      assertEquals(percents.stream().sorted().toList(), percents, "progress went backwards: " + seen);
      assertEquals(List.of("Processed 1/6", "Processed 2/6", "Processed 3/6", "Processed 4/6",
          "Processed 5/6", "Processed 6/6", "Complete"), t.get("messages"),
          "the task's messages, in order");

      // seed 000's flow: result saved on the agent (its state), broadcast to the clients
      start(browser, "processing", Map.of("data", "hello, steadfast"));
      Map<String, Object> p = awaitTask(browser, "hello, steadfast", "complete");
      assertEquals("HELLO, STEADFAST", p.get("result"));
      browser.await("the broadcast", x -> browser.text("[data-role=broadcast]")
          .equals("Broadcast from the agent: task-complete (task " + p.get("id") + ")"));
      browser.await("the agent's state: one result saved",
          x -> browser.text("[data-role=fact-saved]").equals("1"));
      browser.await("the agent's state: the task counts", x -> browser.text("[data-role=fact-tasks]")
          .equals("2 (0 running, 0 waiting, 2 complete)"));

      start(browser, "research", Map.of("question", "What are steps?"));
      assertEquals("A completed step is never run again; its result is replayed.",
          awaitTask(browser, "What are steps?", "complete").get("result"));
      browser.await("the research answer in the agent's state", x -> browser
          .text("[data-role=fact-research]").equals("A completed step is never run again; its result is replayed."));

      start(browser, "etl", Map.of("tables", "users, orders"));
      Map<String, Object> etl = awaitTask(browser, "users, orders", "complete");
      assertEquals("200", etl.get("result"));
      assertTrue(((List<?>) etl.get("messages")).contains("transform orders"), etl.toString());
    }
  }

  @Test
  void approveAndRejectFromThePageAndASecondTabSeesItLive() {
    String room = "approve-" + System.nanoTime();
    try (Chromium browser = Chromium.start("tasks-approve")) {
      WebDriver d = browser.driver();
      open(browser, room);
      String tabA = d.getWindowHandle();
      browser.js("window.sameDocument = true"); // gone if the tab reloads

      d.switchTo().newWindow(WindowType.TAB);
      open(browser, room);
      String tabB = d.getWindowHandle();
      browser.js("window.sameDocument = true");
      start(browser, "approval", Map.of("title", "laptop", "amount", "1200", "timeout", "600"));
      Map<String, Object> waiting = awaitTask(browser, "laptop (1200)", "waiting for approval");
      assertEquals("Awaiting approval of laptop (1200)", waiting.get("message"));
      assertEquals("50 %", waiting.get("percent"));
      assertEquals(Boolean.TRUE, waiting.get("canDecide"));

      // tab A sees the task its neighbour started, over its open connection, and approves it
      d.switchTo().window(tabA);
      awaitTask(browser, "laptop (1200)", "waiting for approval");
      WebElement row = row(browser, "laptop (1200)");
      row.findElement(By.cssSelector("[data-role=reason]")).sendKeys("within budget");
      row.findElement(By.cssSelector("[data-role=approve]")).click();
      Map<String, Object> done = awaitTask(browser, "laptop (1200)", "complete");
      assertEquals("approved laptop by browser", done.get("result"));
      assertEquals(List.of("Awaiting approval of laptop (1200)", "Approved: within budget", "Complete"),
          done.get("messages"));
      assertEquals(Boolean.FALSE, done.get("canDecide"), "a finished approval still offers buttons");

      // a second one, rejected from tab A
      start(browser, "approval", Map.of("title", "yacht", "amount", "9000000", "timeout", "600"));
      awaitTask(browser, "yacht (9000000)", "waiting for approval");
      row = row(browser, "yacht (9000000)");
      row.findElement(By.cssSelector("[data-role=reason]")).sendKeys("too expensive");
      row.findElement(By.cssSelector("[data-role=reject]")).click();
      Map<String, Object> rejected = awaitTask(browser, "yacht (9000000)", "rejected");
      assertEquals("Workflow rejected: too expensive", rejected.get("error"));
      assertNull(rejected.get("result"));
      assertEquals(Boolean.TRUE, browser.js("return window.sameDocument === true"), "tab A reloaded");

      // tab B saw both outcomes live, without a reload; the same agent state in both tabs
      d.switchTo().window(tabB);
      assertEquals("approved laptop by browser",
          awaitTask(browser, "laptop (1200)", "complete").get("result"));
      assertEquals("Workflow rejected: too expensive",
          awaitTask(browser, "yacht (9000000)", "rejected").get("error"));
      assertEquals(Boolean.TRUE, browser.js("return window.sameDocument === true"), "tab B reloaded");
      String stateB = agentState(browser);
      d.switchTo().window(tabA);
      assertEquals(stateB, agentState(browser), "the two tabs show different agent states");
      assertTrue(stateB.contains("\"status\": \"rejected\""), stateB);
    }
  }

  @Test
  void badInputIsExplainedAndNothingStarts() {
    String room = "input-" + System.nanoTime();
    try (Chromium browser = Chromium.start("tasks-input")) {
      open(browser, room);
      start(browser, "data", Map.of("items", " , ,"));
      browser.await("the explanation", x -> browser.text("[data-role=tasks-error]")
          .equals("Give at least one item."));
      assertEquals("No tasks yet: start one above.", browser.text("[data-role=no-tasks]"));
      assertEquals(0, browser.driver().findElements(By.cssSelector("[data-role=task]")).size());
    }
  }

  @Test
  void looksRightAt1280And360PxInLightAndDark() {
    String room = "looks-" + System.nanoTime();
    try (Chromium browser = Chromium.start("tasks-looks")) {
      open(browser, room);
      start(browser, "approval", Map.of("title", "standing desk", "amount", "640", "timeout", "600"));
      awaitTask(browser, "standing desk (640)", "waiting for approval");
      start(browser, "processing", Map.of("data", "hello, steadfast"));
      awaitTask(browser, "hello, steadfast", "complete");
      start(browser, "approval", Map.of("title", "yacht", "amount", "9000000", "timeout", "600"));
      awaitTask(browser, "yacht (9000000)", "waiting for approval");
      row(browser, "yacht (9000000)").findElement(By.cssSelector("[data-role=reject]")).click();
      awaitTask(browser, "yacht (9000000)", "rejected");
      for (String scheme : List.of("light", "dark")) {
        browser.colorScheme(scheme);
        for (int width : new int[] {1280, 360}) {
          browser.viewport(width, width == 360 ? 740 : 900);
          assertEquals(width, ((Number) browser.js("return window.innerWidth")).intValue());
          assertEquals(Boolean.TRUE, browser.js(
              "return document.documentElement.scrollWidth <= window.innerWidth"),
              "the page scrolls sideways at " + width + " px, " + scheme);
          for (WebElement b : browser.driver().findElements(By.cssSelector("button, input, select"))) {
            if (b.isDisplayed()) {
              Number right = (Number) browser.js("return arguments[0].getBoundingClientRect().right", b);
              assertTrue(right.doubleValue() <= width, b.getTagName() + " " + b.getText()
                  + " reaches past " + width + " px");
            }
          }
          browser.js("document.getElementById('tasks-panel').scrollIntoView()");
          browser.screenshot(SHOTS.resolve("tasks-" + width + "-" + scheme + ".png"));
          if (width == 360) { // the form fills a phone's screen: the list too
            browser.js("document.querySelector('[data-role=tasks]').scrollIntoView()");
            browser.screenshot(SHOTS.resolve("tasks-360-" + scheme + "-list.png"));
          }
        }
      }
    }
  }

  private static void open(Chromium browser, String room) {
    browser.driver().get(server.url("/demo/?room=" + room));
    String status = browser.await("a Workflows panel status other than connecting", x -> {
      String s = browser.text("#tasks-panel [data-role=status]");
      return s.equals("live") || s.equals("needs the demo token") ? s : null;
    });
    if (!status.equals("live")) { // the server asks for the demo token: sign in as a user would
      WebElement input = browser.await("the token form",
          x -> x.findElement(By.cssSelector("[data-role=token]")).isDisplayed()
              ? x.findElement(By.cssSelector("[data-role=token]")) : null);
      input.clear();
      input.sendKeys(SharedServer.DEMO_TOKEN, Keys.ENTER);
    }
    browser.await("the Workflows panel live", x -> browser.text("#tasks-panel [data-role=status]")
        .equals("live"));
    browser.await("the Start button enabled",
        x -> x.findElement(By.cssSelector("[data-role=start]")).isEnabled());
  }

  /** Chooses a flow, fills its fields and clicks Start, as a person would. */
  private static void start(Chromium browser, String flow, Map<String, String> fields) {
    WebDriver d = browser.driver();
    new Select(d.findElement(By.cssSelector("[data-role=flow]"))).selectByValue(flow);
    for (Map.Entry<String, String> f : fields.entrySet()) {
      WebElement input = d.findElement(By.cssSelector("[data-role=field-" + f.getKey() + "]"));
      input.clear();
      input.sendKeys(f.getValue());
    }
    d.findElement(By.cssSelector("[data-role=start]")).click();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> awaitTask(Chromium browser, String title, String status) {
    return browser.await("task \"" + title + "\" " + status, x -> {
      Map<String, Object> t = (Map<String, Object>) browser.js(TASK, title);
      return t != null && status.equals(t.get("status")) ? t : null;
    });
  }

  private static WebElement row(Chromium browser, String title) {
    String id = (String) awaitTask(browser, title, "waiting for approval").get("id");
    return browser.driver().findElement(By.cssSelector("[data-role=task][data-id='" + id + "']"));
  }

  private static String agentState(Chromium browser) {
    return (String) browser.js("return document.querySelector('[data-role=agent-state]').textContent");
  }
}
