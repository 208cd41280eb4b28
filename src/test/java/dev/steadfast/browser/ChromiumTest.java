package dev.steadfast.browser;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A machine without the browser fails the browser tests with what to install, not a skip. */
class ChromiumTest {
  @AfterEach
  void restore() {
    System.clearProperty("steadfast.chromium");
    System.clearProperty("steadfast.chromedriver");
  }

  @Test
  void aMissingBrowserFailsNamingTheDebianPackages() {
    System.setProperty("steadfast.chromium", "/nonexistent/chromium");
    System.setProperty("steadfast.chromedriver", "/nonexistent/chromedriver");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Chromium.start("x"));
    String m = e.getMessage();
    assertTrue(m.contains("/nonexistent/chromium (package chromium)")
        && m.contains("/nonexistent/chromedriver (package chromium-driver)")
        && m.contains("apt-get update && apt-get install -y chromium chromium-driver"), m);
  }

  @Test
  void aMissingDriverAloneIsNamed() {
    System.setProperty("steadfast.chromium", "/bin/sh"); // any executable stands for the browser
    System.setProperty("steadfast.chromedriver", "/nonexistent/chromedriver");
    String m = assertThrows(IllegalStateException.class, Chromium::requireInstalled).getMessage();
    assertTrue(m.contains("missing: /nonexistent/chromedriver (package chromium-driver). "), m);
  }
}
