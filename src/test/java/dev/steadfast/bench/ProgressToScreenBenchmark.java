package dev.steadfast.bench;

import dev.steadfast.browser.Chromium;
import dev.steadfast.testing.ServerProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * {@code reportProgress} from a workflow step to a browser client's screen (issue 8's figure,
 * target p50 < 20 ms). The real WAR on Payara Micro, the demo page in headless Chromium: the
 * page starts the data-processing workflow through the TaskAgent; each progress carries the
 * wall-clock time its workflow step reported it ("at"); the page records when that progress
 * was in its DOM and when the next animation frame ran (window.steadfastDemo.progressTimes). The
 * path measured is the whole one: workflow → agent callback (onWorkflowProgress, a state write)
 * → state broadcast over the WebSocket → agents client → page. Browser and server share the
 * machine's clock.
 *
 * <pre>
 * mvn -q -B package -DskipTests &amp;&amp; mvn -q -B exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.steadfast.bench.ProgressToScreenBenchmark [-Dbench.items=150]
 * </pre>
 */
public final class ProgressToScreenBenchmark {
  private ProgressToScreenBenchmark() {}

  public static void main(String[] args) throws Exception {
    int items = Integer.getInteger("bench.items", 150);
    Chromium.requireInstalled();
    try (ServerProcess server = ServerProcess.start("progress-bench");
        Chromium browser = Chromium.start("progress-bench")) {
      WebDriver d = browser.driver();
      d.get(server.url("/demo/?room=bench-" + System.nanoTime()));
      browser.await("the Start button enabled",
          x -> x.findElement(By.cssSelector("[data-role=start]")).isEnabled());
      run(browser, 20, "warm-up");
      browser.js("window.steadfastDemo.progressTimes.length = 0");
      run(browser, items, "measured");

      @SuppressWarnings("unchecked")
      List<Map<String, Object>> samples =
          (List<Map<String, Object>>) browser.js("return window.steadfastDemo.progressTimes");
      List<Double> dom = new ArrayList<>();
      List<Double> frame = new ArrayList<>();
      for (Map<String, Object> s : samples) {
        double at = ((Number) s.get("at")).doubleValue();
        dom.add(((Number) s.get("dom")).doubleValue() - at);
        if (s.get("frame") instanceof Number f) {
          frame.add(f.doubleValue() - at);
        }
      }
      double skew = ((Number) browser.js(
          "return Date.now() - (performance.timeOrigin + performance.now())")).doubleValue();
      System.out.printf("reportProgress -> browser, %d progress reports of %d (the page shows the"
          + " latest state; reports that arrive in one state message count once)%n", dom.size(), items);
      print("in the page's DOM", dom);
      print("next animation frame (on screen)", frame);
      System.out.printf("page clock vs Date.now() at the end: %.1f ms (Date.now() is whole ms)%n",
          skew);
    }
  }

  private static void run(Chromium browser, int items, String what) {
    WebDriver d = browser.driver();
    new Select(d.findElement(By.cssSelector("[data-role=flow]"))).selectByValue("data");
    WebElement input = d.findElement(By.cssSelector("[data-role=field-items]"));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < items; i++) {
      names.add("i" + i);
    }
    input.clear();
    browser.js("arguments[0].value = arguments[1]", input, String.join(",", names));
    d.findElement(By.cssSelector("[data-role=start]")).click();
    String title = items + " items";
    long deadline = System.currentTimeMillis() + items * 2_000L + 60_000;
    while (!Boolean.TRUE.equals(browser.js("""
        return [...document.querySelectorAll('[data-role=task]')].some((l) =>
            l.querySelector('[data-role=task-title]').textContent === arguments[0]
            && l.dataset.status === 'complete')""", title))) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException(what + " run did not complete:\n" + browser.console());
      }
      sleep(200);
    }
  }

  private static void print(String what, List<Double> ms) {
    if (ms.isEmpty()) {
      System.out.printf("%-34s no samples%n", what);
      return;
    }
    List<Double> sorted = ms.stream().sorted().toList();
    System.out.printf("%-34s p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)%n", what,
        pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), sorted.get(sorted.size() - 1),
        sorted.size());
  }

  private static double pct(List<Double> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
