package dev.steadfast.testing;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The HTTP client tests talk to a server with: HTTP/1.1, as the real clients do (wrangler's
 * undici, browsers on plain http). The JDK client's default asks Payara for an h2c upgrade, gets
 * it, and then sends every later request over that one HTTP/2 connection: a readiness wait in
 * CI saw every request on it time out for five minutes after the server was up.
 */
public final class Http {
  private Http() {
  }

  public static HttpClient client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }
}
