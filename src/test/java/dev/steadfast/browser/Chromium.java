package dev.steadfast.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium, headless, driven by Debian's chromedriver through Selenium. Nothing is
 * downloaded: both paths are given explicitly, so Selenium Manager never runs. Each instance has
 * a fresh profile under target/browser-profiles and writes chromedriver's log to target/it-logs.
 *
 * <p>A missing browser or driver fails the test with the apt packages to install; it never skips
 * (a skipped browser test would hide a broken page). Paths: system properties
 * {@code steadfast.chromium} and {@code steadfast.chromedriver}, by default /usr/bin/chromium and
 * /usr/bin/chromedriver.
 */
public final class Chromium implements AutoCloseable {
  /** Long enough for a WebSocket to connect on a loaded 2-core machine, short enough to fail. */
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(20);

  /**
   * DevTools commands go through chromedriver (executeCdpCommand), not Selenium's versioned
   * devtools modules, so its warning that none matches this Chromium is noise. A field: a logger
   * nobody references may be collected, and its level with it.
   */
  private static final Logger CDP_VERSION_LOG =
      Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  private final ChromeDriver driver;
  private final Path profile;

  private Chromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  public static Path browserPath() {
    return Path.of(System.getProperty("steadfast.chromium", "/usr/bin/chromium"));
  }

  public static Path driverPath() {
    return Path.of(System.getProperty("steadfast.chromedriver", "/usr/bin/chromedriver"));
  }

  /** Fails, naming the Debian packages, unless the browser and its driver are installed. */
  public static void requireInstalled() {
    List<String> missing = new ArrayList<>();
    if (!Files.isExecutable(browserPath())) {
      missing.add(browserPath() + " (package chromium)");
    }
    if (!Files.isExecutable(driverPath())) {
      missing.add(driverPath() + " (package chromium-driver)");
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("The browser tests need Debian's Chromium and its WebDriver,"
          + " missing: " + String.join(", ", missing) + ". Install them with:"
          + " apt-get update && apt-get install -y chromium chromium-driver"
          + " (.ci/run does this; see docs/browser-tests.md)");
    }
  }

  /** Starts a headless browser with a fresh profile; {@code name} labels its files. */
  public static Chromium start(String name) {
    requireInstalled();
    CDP_VERSION_LOG.setLevel(Level.SEVERE);
    Path target = Path.of(System.getProperty("steadfast.target", "target")).toAbsolutePath();
    String label = name + "-" + System.nanoTime();
    Path profile = target.resolve("browser-profiles").resolve(label);
    Path log = target.resolve("it-logs").resolve("chromedriver-" + label + ".log");
    try {
      Files.createDirectories(profile);
      Files.createDirectories(log.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(driverPath().toFile())
        .usingAnyFreePort()
        .withLogFile(log.toFile())
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(browserPath().toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox", // CI runs as root, where Chromium's sandbox refuses to start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--user-data-dir=" + profile,
        "--window-size=1280,900",
        "--no-first-run",
        "--no-default-browser-check",
        // no traffic to the browser vendor's services (the network here is closed anyway)
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--disable-extensions");
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    return new Chromium(new ChromeDriver(service, options), profile);
  }

  public WebDriver driver() {
    return driver;
  }

  /** Runs {@code script} in the current page and returns its value. */
  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** The visible text of the first element matching {@code css}, or "" when there is none. */
  public String text(String css) {
    return driver.findElements(By.cssSelector(css)).stream().findFirst()
        .map(e -> e.getText()).orElse("");
  }

  /**
   * Waits until {@code condition} returns a value other than null or false, at most {@link
   * #DEFAULT_WAIT}; on time-out fails with {@code what}, the page's text and its console.
   */
  public <T> T await(String what, Function<WebDriver, T> condition) {
    try {
      return new WebDriverWait(driver, DEFAULT_WAIT, Duration.ofMillis(50)).until(condition);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out after " + DEFAULT_WAIT.toSeconds() + " s waiting for "
          + what + "\n--- page text ---\n" + pageText() + "\n--- browser console ---\n"
          + console(), e);
    }
  }

  private String pageText() {
    try {
      return driver.findElement(By.tagName("body")).getText();
    } catch (WebDriverException e) {
      return "(no page: " + e.getMessage() + ")";
    }
  }

  /** What the page wrote to the console since the last call (errors included). */
  public String console() {
    try {
      return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
          .map(e -> e.getLevel() + " " + e.getMessage()).collect(Collectors.joining("\n"));
    } catch (WebDriverException e) {
      return "(console not available: " + e.getMessage() + ")";
    }
  }

  /** Sizes the page's viewport in CSS pixels, as a phone or a desktop window would. */
  public void viewport(int width, int height) {
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of(
        "width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
  }

  /** Emulates the user's colour scheme preference: "light" or "dark". */
  public void colorScheme(String scheme) {
    driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of(
        "features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
  }

  /** Saves a PNG of the viewport to {@code file} (its directory is created). */
  public Path screenshot(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Quits the browser and its driver and removes the profile. */
  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException | UncheckedIOException ignored) {
        // a profile left under target/ is harmless; the next start makes a new one
      }
    }
  }
}
