package dev.steadfast.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The image's health check command: ready only with the engine's check in a 200 answer. */
class ReadinessProbeTest {
  private static String serve(int status, String body, HttpServer[] holder) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext("/health/ready", ex -> {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    s.start();
    holder[0] = s;
    return "http://127.0.0.1:" + s.getAddress().getPort() + "/health/ready";
  }

  private static boolean probe(int status, String body) throws Exception {
    HttpServer[] s = new HttpServer[1];
    try {
      return ReadinessProbe.check(serve(status, body, s));
    } finally {
      s[0].stop(0);
    }
  }

  @Test
  void theUrlIsTheArgumentElseTheEnvironmentsElsePayaraMicros() {
    assertEquals("http://h:1/x", ReadinessProbe.url(new String[] {"http://h:1/x"},
        "http://127.0.0.1:9990/health/ready"));
    assertEquals("http://127.0.0.1:9990/health/ready", ReadinessProbe.url(new String[0],
        " http://127.0.0.1:9990/health/ready "));
    assertEquals("http://127.0.0.1:8080/health/ready", ReadinessProbe.url(new String[0], null));
    assertEquals("http://127.0.0.1:8080/health/ready", ReadinessProbe.url(new String[0], ""));
  }

  @Test
  void readyWithTheEngineCheckUp() throws Exception {
    assertTrue(probe(200, "{\"status\":\"UP\",\"checks\":[{\"name\":\"workflow-engine\","
        + "\"status\":\"UP\"}]}"));
  }

  @Test
  void notReadyWhileStartingWhenDownOrWithoutTheApplication() throws Exception {
    // Payara Micro before the WAR is deployed: 200 with no checks at all
    assertFalse(probe(200, "{\"status\":\"UP\",\"checks\":[]}"));
    assertFalse(probe(503, "{\"status\":\"DOWN\",\"checks\":[{\"name\":\"workflow-engine\","
        + "\"status\":\"DOWN\",\"data\":{\"reason\":\"starting\"}}]}"));
    // a failed deployment
    assertFalse(probe(503, "{\"status\":\"DOWN\",\"checks\":[{\"name\":\"No Application"
        + " deployed\",\"status\":\"DOWN\"}]}"));
  }

  @Test
  void notReadyWhenNothingAnswers() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    assertFalse(ReadinessProbe.check("http://127.0.0.1:" + port + "/health/ready"));
  }
}
