package dev.steadfast.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.testing.ServerProcess;
import dev.steadfast.testing.SharedServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;

/**
 * The demo page (/demo/, static files of the WAR) in real headless Chromium against the real WAR
 * on Payara Micro, through the vendored {@code agents} client: it signs in with the demo token,
 * shows the CounterAgent's state, increments it, and a second tab sees the change live. Also: a
 * 360 px screen, the dark scheme, and the WAR's root left as it was. Screenshots go to
 * target/screenshots.
 */
class DemoPageIT {
  private static final String TOKEN = SharedServer.DEMO_TOKEN;
  private static final Path SHOTS =
      Path.of(System.getProperty("steadfast.target", "target"), "screenshots");
  private static ServerProcess server;

  @BeforeAll
  static void startServer() {
    Chromium.requireInstalled(); // before the server: a missing browser fails at once
    server = SharedServer.get("demo-page");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      SharedServer.release(server);
    }
  }

  @Test
  void aSecondTabSeesTheIncrementLive() throws Exception {
    String room = "tabs-" + System.nanoTime();
    try (Chromium browser = Chromium.start("demo-tabs")) {
      WebDriver d = browser.driver();
      openSignedIn(browser, room);
      awaitCount(browser, "0", "tab A");
      String tabA = d.getWindowHandle();
      browser.js("window.sameDocument = true"); // gone if the tab reloads

      d.switchTo().newWindow(WindowType.TAB);
      openSignedIn(browser, room);
      awaitCount(browser, "0", "tab B");
      d.findElement(By.cssSelector("[data-role=increment]")).click();
      awaitCount(browser, "1", "tab B after its click");
      browser.await("the call's result", x -> browser.text("[data-role=last-call]")
          .startsWith("increment(1) returned 1 in "));

      d.switchTo().window(tabA);
      awaitCount(browser, "1", "tab A, pushed by the server");
      assertEquals(Boolean.TRUE, browser.js("return window.sameDocument === true"),
          "tab A was reloaded: the count must arrive over its open connection");
      d.findElement(By.cssSelector("[data-role=increment-5]")).click();
      awaitCount(browser, "6", "tab A after +5");
      // the synced state's JSON (in a collapsed <details>, so read as text content)
      String state = (String) browser.js(
          "return document.querySelector('[data-role=state]').textContent");
      assertTrue(state.contains("\"count\": 6"), "the synced state shown: " + state);

      d.switchTo().window(d.getWindowHandles().stream().filter(h -> !h.equals(tabA))
          .findFirst().orElseThrow());
      awaitCount(browser, "6", "tab B, pushed by the server");
      browser.js("document.querySelector('details').open = true");
      browser.screenshot(SHOTS.resolve("demo-after-increments.png"));
    }
    // the server's own view of the instance agrees (the agent's onRequest)
    HttpResponse<String> r = server.call("/agents/counter-agent/" + room + "?token=" + TOKEN, null);
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"count\":6"), r.body());
  }

  @Test
  void aWrongTokenIsRefusedAndTheFormStays() {
    String room = "token-" + System.nanoTime();
    try (Chromium browser = Chromium.start("demo-token")) {
      browser.driver().get(server.url("/demo/?room=" + room));
      awaitStatus(browser, "needs the demo token");
      signIn(browser, "not-the-token");
      awaitStatus(browser, "needs the demo token");
      assertTrue(browser.driver().findElement(By.cssSelector("[data-role=token]")).isDisplayed());
      assertFalse(browser.driver().findElement(By.cssSelector("[data-role=increment]")).isEnabled(),
          "increment enabled without a connection");
      assertFalse(browser.driver().getCurrentUrl().contains("not-the-token"),
          "the token went into the URL");
      browser.screenshot(SHOTS.resolve("demo-token.png"));

      signIn(browser, TOKEN);
      awaitStatus(browser, "live");
      awaitCount(browser, "0", "after signing in");
      assertFalse(browser.driver().findElement(By.cssSelector("[data-role=token]")).isDisplayed(),
          "the sign-in form is still shown once connected");
    }
  }

  @Test
  void fitsA360PxScreenInLightAndDarkScheme() {
    String room = "looks-" + System.nanoTime();
    try (Chromium browser = Chromium.start("demo-looks")) {
      for (String scheme : List.of("light", "dark")) {
        browser.colorScheme(scheme);
        for (int width : new int[] {1280, 360}) {
          browser.viewport(width, width == 360 ? 740 : 800);
          openSignedIn(browser, room);
          awaitCount(browser, "0", scheme + " at " + width + " px");
          assertEquals(width, ((Number) browser.js("return window.innerWidth")).intValue());
          assertEquals(Boolean.TRUE, browser.js(
              "return document.documentElement.scrollWidth <= window.innerWidth"),
              "the page scrolls sideways at " + width + " px");
          for (WebElement b : browser.driver().findElements(By.cssSelector("button"))) {
            Number right = (Number) browser.js("return arguments[0].getBoundingClientRect().right", b);
            assertTrue(right.doubleValue() <= width, b.getText() + " reaches past " + width + " px");
          }
          double background = luminance((String) browser.js(
              "return getComputedStyle(document.body).backgroundColor"));
          double text = luminance((String) browser.js(
              "return getComputedStyle(document.body).color"));
          if (scheme.equals("dark")) {
            assertTrue(background < 0.1 && text > 0.7, "dark scheme: background " + background
                + ", text " + text);
          } else {
            assertTrue(background > 0.85 && text < 0.1, "light scheme: background " + background
                + ", text " + text);
          }
          browser.screenshot(SHOTS.resolve("demo-" + width + "-" + scheme + ".png"));
        }
      }
    }
  }

  @Test
  void aRoomNameThatIsNoAgentNameIsExplained() {
    try (Chromium browser = Chromium.start("demo-room")) {
      browser.driver().get(server.url("/demo/?room=a%2Fb"));
      browser.await("the room error", x -> browser.text("[role=alert]").equals(
          "\"a/b\" is not a room name: use 1 to 64 letters, digits, - or _."));
      assertTrue(browser.driver().findElements(By.cssSelector("[data-role=count]")).isEmpty(),
          "a panel was connected to an invalid instance name");
    }
  }

  @Test
  void theRootIsLeftAloneAndDemoWithoutSlashRedirects() throws Exception {
    HttpResponse<String> root = server.call("/", null);
    assertFalse(root.body().contains("Steadfast demo"), "/ serves the demo page");
    HttpResponse<String> demo = server.call("/demo", null);
    assertTrue(demo.statusCode() == 301 || demo.statusCode() == 302, "/demo: " + demo.statusCode());
    assertTrue(demo.headers().firstValue("Location").orElse("").endsWith("/demo/"),
        demo.headers().toString());
    HttpResponse<String> bundle = server.call("/vendor/agents-client-0.32.0.js", null);
    assertEquals(200, bundle.statusCode());
    assertTrue(bundle.headers().firstValue("Content-Type").orElse("").contains("javascript"),
        "a module script needs a JavaScript MIME type: " + bundle.headers());
  }

  /** Opens the demo in the current tab and signs in with the token (kept per tab). */
  private static void openSignedIn(Chromium browser, String room) {
    browser.driver().get(server.url("/demo/?room=" + room));
    String status = browser.await("a connection status other than connecting", x -> {
      String s = browser.text("[data-role=status]");
      return s.equals("live") || s.equals("needs the demo token") ? s : null;
    });
    if (!status.equals("live")) {
      signIn(browser, TOKEN);
    }
    awaitStatus(browser, "live");
  }

  private static void signIn(Chromium browser, String token) {
    WebElement input = browser.await("the token form",
        x -> x.findElement(By.cssSelector("[data-role=token]")).isDisplayed()
            ? x.findElement(By.cssSelector("[data-role=token]")) : null);
    input.clear();
    input.sendKeys(token, Keys.ENTER);
  }

  private static void awaitStatus(Chromium browser, String status) {
    browser.await("status \"" + status + "\"",
        x -> browser.text("[data-role=status]").equals(status));
  }

  private static void awaitCount(Chromium browser, String count, String where) {
    browser.await("count " + count + " in " + where,
        x -> browser.text("[data-role=count]").equals(count));
  }

  /** Relative luminance (0 black … 1 white) of a CSS "rgb(r, g, b)" value. */
  private static double luminance(String rgb) {
    Matcher m = Pattern.compile("rgba?\\((\\d+),\\s*(\\d+),\\s*(\\d+)").matcher(rgb);
    assertTrue(m.find(), "not an rgb colour: " + rgb);
    double[] c = new double[3];
    for (int i = 0; i < 3; i++) {
      double v = Integer.parseInt(m.group(i + 1)) / 255.0;
      c[i] = v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
}
