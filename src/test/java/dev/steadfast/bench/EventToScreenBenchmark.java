package dev.steadfast.bench;

import dev.steadfast.browser.Chromium;
import dev.steadfast.testing.ApiClient;
import dev.steadfast.testing.ServerProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/**
 * Issue 9's figure "event → visible in an open dashboard tab" (target p50 < 50 ms): the real WAR
 * on Payara Micro, the dashboard in headless Chromium on an instance's page while a processing
 * workflow runs {@code bench.items} steps. For each {@code step_completed} event the page records
 * when the frame that drew it ran ({@code window.steadfastDashboard.shown}); the event's time is
 * the step's end in the journal. The path measured: the step's end → journal commit → engine
 * event → the instance's channel reads the journal → SSE → fetch stream in the page → model →
 * the next animation frame. Browser and server share the machine's clock.
 *
 * <pre>
 * mvn -q -B package -DskipTests &amp;&amp; mvn -q -B exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.steadfast.bench.EventToScreenBenchmark [-Dbench.items=200]
 * </pre>
 */
public final class EventToScreenBenchmark {
  private EventToScreenBenchmark() {}

  public static void main(String[] args) throws Exception {
    int items = Integer.getInteger("bench.items", 200);
    Chromium.requireInstalled();
    try (ServerProcess server = ServerProcess.start("event-bench");
        Chromium browser = Chromium.start("event-bench")) {
      ApiClient api = new ApiClient(server.apiBase() + "/accounts/local", ServerProcess.TOKEN);
      browser.driver().get(server.baseUrl() + "/");
      browser.await("sign-in", d -> !d.findElements(By.cssSelector("#token")).isEmpty());
      browser.driver().findElement(By.cssSelector("#token")).sendKeys(ServerProcess.TOKEN,
          Keys.ENTER);
      browser.await("signed in", d -> d.findElements(By.cssSelector("table.list")).size() > 0);
      List<Double> all = new ArrayList<>();
      // the part of it until the event reached the page (the rest is the page's drawing)
      List<Double> arrived = new ArrayList<>();
      for (String phase : List.of("warm-up", "measured")) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < (phase.equals("warm-up") ? 20 : items); i++) {
          names.add("\"i" + i + "\"");
        }
        // the page is open (and live) before the run starts: a paused instance, then resumed
        ApiClient.Reply r = api.send("POST", "/workflows/processing/instances",
            "{\"params\":{\"items\":[" + String.join(",", names) + "],\"millisPerItem\":20}}");
        String id = r.json().getJsonObject("result").getString("id");
        api.send("PATCH", "/workflows/processing/instances/" + id + "/status",
            "{\"status\":\"pause\"}");
        browser.driver().get(server.baseUrl() + "/#/workflows/processing/instances/" + id);
        browser.await("live", d -> "live".equals(browser.js(
            "const e = document.getElementById('live'); return e && e.textContent")));
        browser.js("window.steadfastDashboard.shown.length = 0");
        long resumed = System.currentTimeMillis();
        api.send("PATCH", "/workflows/processing/instances/" + id + "/status",
            "{\"status\":\"resume\"}");
        browser.await("complete", d -> String.valueOf(browser.js(
            "const e = document.getElementById('status'); return e && e.textContent"))
            .contains("complete"));
        if (phase.equals("warm-up")) {
          continue;
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> shown =
            (List<Map<String, Object>>) browser.js("return window.steadfastDashboard.shown");
        for (Map<String, Object> s : shown) {
          double at = ((Number) s.get("at")).doubleValue();
          if ("step_completed".equals(s.get("type")) && at >= resumed) {
            all.add(((Number) s.get("shown")).doubleValue() - at);
            if (s.get("got") instanceof Number got) {
              arrived.add(got.doubleValue() - at);
            }
          }
        }
      }
      List<Double> sorted = all.stream().sorted().toList();
      if (sorted.isEmpty()) {
        System.out.println("no samples:\n" + browser.console());
        return;
      }
      System.out.printf("step_completed -> drawn in the open instance page: p50 %.1f ms, p90 %.1f"
          + " ms, p99 %.1f ms, max %.1f ms (n=%d)%n", pct(sorted, 50), pct(sorted, 90),
          pct(sorted, 99), sorted.get(sorted.size() - 1), sorted.size());
      List<Double> got = arrived.stream().sorted().toList();
      if (!got.isEmpty()) {
        System.out.printf("  of which step_completed -> received by the page: p50 %.1f ms, p90"
            + " %.1f ms, p99 %.1f ms%n", pct(got, 50), pct(got, 90), pct(got, 99));
      }
    }
  }

  private static double pct(List<Double> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
