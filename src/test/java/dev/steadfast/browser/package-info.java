/** Browser tests: pages served by the real WAR, driven in Debian's headless Chromium. */
package dev.steadfast.browser;
