package dev.steadfast.crash;

import dev.steadfast.testing.Http;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.testing.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the real server while agent-started workflows sit between mergeAgentState and
 * reportComplete; after the restart every workflow completes, and each state change (the event
 * callback's, the merge) and each completion shows exactly once in the agent's state and in the
 * log of callback invocations.
 */
class AgentWorkflowCrashIT {
  static final int WORKFLOWS = 6;
  final HttpClient http = Http.client();

  static Path war() throws IOException {
    Path war = Path.of("target", "it", "crash-agent.war");
    Files.createDirectories(war.getParent());
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(Path.of("target", "steadfast.war")));
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(war))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        out.putNextEntry(new ZipEntry(e.getName()));
        in.transferTo(out);
        out.closeEntry();
      }
      for (Class<?> c : List.of(CrashAgent.class, CrashAgentWorkflow.class, CrashAgentServlet.class)) {
        String name = c.getName().replace('.', '/') + ".class";
        out.putNextEntry(new ZipEntry("WEB-INF/classes/" + name));
        try (InputStream cls = c.getClassLoader().getResourceAsStream(name)) {
          cls.transferTo(out);
        }
        out.closeEntry();
      }
    }
    return war;
  }

  String call(ServerProcess s, String method, String path) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.baseUrl() + "/crash-agent" + path));
    b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.noBody()) : b.GET();
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path + " -> " + r.body());
    return r.body();
  }

  @Test
  void eachStateChangeAndCompletionShowsOnceAfterKillDashNine() throws Exception {
    Path war = war();
    Path data = ServerProcess.newDataDir("crash-agent");
    ServerProcess first = new ServerProcess(war, data).start();
    String before;
    try {
      call(first, "POST", "/start?n=" + WORKFLOWS);
      long deadline = System.currentTimeMillis() + 30_000;
      // every workflow merged into the agent's state and is in its 5 s "hold" step
      while ((before = call(first, "GET", "")).split("merged=1").length - 1 < WORKFLOWS
          || Files.readAllLines(data.resolve("callbacks.log")).stream()
              .filter(l -> l.startsWith("hold")).count() < WORKFLOWS) {
        assertTrue(System.currentTimeMillis() < deadline, before + "\n" + first.tail());
        Thread.sleep(50);
      }
    } finally {
      first.kill();
    }
    assertTrue(!before.contains("completions=1"), "killed before any completion:\n" + before);

    String after;
    try (ServerProcess second = new ServerProcess(war, data).start()) {
      long deadline = System.currentTimeMillis() + 60_000;
      while ((after = call(second, "GET", "")).split(" complete ").length - 1 < WORKFLOWS) {
        assertTrue(System.currentTimeMillis() < deadline, after + "\n" + second.tail());
        Thread.sleep(200);
      }
      // the admin view lists them, complete
      HttpResponse<String> admin = http.send(HttpRequest.newBuilder(URI.create(second.apiBase()
              + "/accounts/local/agents/crash-agent/instances/main/workflows?status=complete"))
          .header("Authorization", "Bearer " + ServerProcess.TOKEN).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, admin.statusCode(), admin.body());
      assertTrue(admin.body().contains("\"total\":" + WORKFLOWS), admin.body());
      // a restart through the REST API (as wrangler does it): the tracked status follows it,
      // and the new run reports its own completion once
      HttpResponse<String> restart = http.send(HttpRequest.newBuilder(URI.create(second.apiBase()
              + "/accounts/local/workflows/crash-agent-flow/instances/cw-0/status"))
          .header("Authorization", "Bearer " + ServerProcess.TOKEN)
          .header("Content-Type", "application/json")
          .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"status\":\"restart\"}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, restart.statusCode(), restart.body());
      String restarted = call(second, "GET", "");
      assertTrue(!restarted.contains("cw-0 complete"), "cw-0 is running again:\n" + restarted);
      while (!(restarted = call(second, "GET", "")).contains("cw-0 complete events=2"
          + " completions=2 merged=1\n")) {
        assertTrue(System.currentTimeMillis() < deadline + 30_000, restarted);
        Thread.sleep(200);
      }
    }
    List<String> log = Files.readAllLines(data.resolve("callbacks.log"));
    for (int i = 1; i < WORKFLOWS; i++) { // cw-0 ran twice: restarted above
      String id = "cw-" + i;
      assertTrue(after.contains(id + " complete events=1 completions=1 merged=1\n"),
          id + " in the agent's state:\n" + after);
      assertEquals(1, log.stream().filter(("events " + id)::equals).count(), id + ":\n" + log);
      assertEquals(1, log.stream().filter(("completions " + id)::equals).count(), id + ":\n" + log);
      assertEquals(2, log.stream().filter(("hold " + id)::equals).count(),
          "the hold step was in flight at the kill and ran again: " + id + "\n" + log);
    }
  }
}
