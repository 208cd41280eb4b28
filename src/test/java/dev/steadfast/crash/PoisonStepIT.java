package dev.steadfast.crash;

import dev.steadfast.testing.Http;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.testing.ServerProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A step that halts the JVM of the real server, every time it runs: after
 * steadfast.workflow.max-lost-attempts lost attempts the step fails for good with AttemptsLost,
 * the instance is errored, and the server stays up instead of dying at every restart.
 */
class PoisonStepIT {
  final HttpClient http = Http.client();

  String status(ServerProcess s, String id) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.baseUrl()
        + "/crash-probe?workflow=poison-probe&id=" + id)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  @Test
  void aStepThatHaltsTheServerFailsAsAttemptsLostAndTheServerStaysUp() throws Exception {
    Path war = CrashRecoveryIT.probeWar();
    Path data = ServerProcess.newDataDir("poison");
    String id = "poison-1";
    ServerProcess server = new ServerProcess(war, data)
        .env("STEADFAST_WORKFLOW_MAX_LOST_ATTEMPTS", "2").start();
    HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
        + "/crash-probe/poison?id=" + id)).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, created.statusCode(), created.body());
    assertTrue(server.awaitExit(Duration.ofSeconds(60)), "the poison step halted the server");

    int starts = 1;
    String status = null;
    while (status == null) {
      starts++;
      assertTrue(starts <= 4, "the server kept dying: " + starts + " starts\n" + server.tail());
      try {
        server.start();
      } catch (IllegalStateException died) {
        assertTrue(died.getMessage().contains("server exited"), died.getMessage());
        continue; // halted by the step again while starting
      }
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline) {
        try {
          String s = status(server, id);
          if (s.startsWith("errored")) {
            status = s;
            break;
          }
        } catch (IOException down) {
          if (!server.isAlive()) {
            break; // halted again: start once more
          }
        }
        Thread.sleep(200);
      }
      if (status == null) {
        assertTrue(server.awaitExit(Duration.ofSeconds(30)), "neither errored nor halted\n"
            + server.tail());
      }
    }
    try {
      assertTrue(status.contains("AttemptsLost"), status);
      assertEquals(3, starts, "two lost attempts, then the third start settles it");
      long halts = Files.readAllLines(data.resolve("probe.log")).stream()
          .filter(l -> l.startsWith("start " + id + " halt")).count();
      assertEquals(2, halts, "the step ran exactly max-lost-attempts times");
      Thread.sleep(2_000);
      assertTrue(server.isAlive(), "the server stays up");
      assertTrue(status(server, id).startsWith("errored"));
    } finally {
      server.close();
    }
  }
}
