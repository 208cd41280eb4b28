package dev.steadfast.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.testing.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the real server in the middle of 24 instances (in steps, sleeps, retry delays and
 * event waits), a restart with the same data directory, and proof from the probe's own log that
 * every instance completes and no completed step ran again.
 */
class CrashRecoveryIT {
  static final int INSTANCES = 24;
  final HttpClient http = HttpClient.newHttpClient();

  /** The shipped WAR plus the probe workflow and its test servlet. */
  static Path probeWar() throws IOException {
    Path war = Path.of("target", "it", "crash-probe.war");
    Files.createDirectories(war.getParent());
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(Path.of("target", "steadfast.war")));
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(war))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        out.putNextEntry(new ZipEntry(e.getName()));
        in.transferTo(out);
        out.closeEntry();
      }
      for (Class<?> c : List.of(CrashProbeWorkflow.class, CrashProbeServlet.class)) {
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
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.baseUrl() + "/crash-probe" + path));
    b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.noBody()) : b.GET();
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path + " -> " + r.body());
    return r.body();
  }

  @Test
  void everyInstanceCompletesAfterKillDashNineAndNoCompletedStepRunsAgain() throws Exception {
    Path war = probeWar();
    Path data = ServerProcess.newDataDir("crash");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < INSTANCES; i++) {
      ids.add("probe-" + i);
    }
    ServerProcess first = new ServerProcess(war, data).start();
    try {
      for (int i = 0; i < INSTANCES; i++) {
        call(first, "POST", "/create?id=" + ids.get(i) + "&n=" + i);
        if (i % 2 == 0) {
          call(first, "POST", "/go?id=" + ids.get(i)); // buffered before the wait
        }
      }
      Thread.sleep(4_000); // sleeps, retries, waits and the long step "c" are under way
    } finally {
      first.kill();
    }
    List<String> beforeCrash = Files.readAllLines(data.resolve("probe.log"));
    assertTrue(beforeCrash.stream().anyMatch(l -> l.startsWith("start") && l.contains(" c ")),
        "the kill happened with long steps in flight");

    try (ServerProcess second = new ServerProcess(war, data).start()) {
      for (int i = 1; i < INSTANCES; i += 2) {
        call(second, "POST", "/go?id=" + ids.get(i));
      }
      long deadline = System.currentTimeMillis() + 90_000;
      for (String id : ids) {
        String status;
        while (!(status = call(second, "GET", "?id=" + id)).equals("complete")) {
          assertTrue(System.currentTimeMillis() < deadline, id + " is " + status + "\n" + second.tail());
          Thread.sleep(200);
        }
      }
    }

    List<String> log = Files.readAllLines(data.resolve("probe.log"));
    List<String> afterCrash = log.subList(beforeCrash.size(), log.size());
    List<String> order = List.of("a", "b", "c", "d");
    Map<String, Integer> started = new HashMap<>();
    for (String id : ids) {
      // a step the instance had moved past before the kill was committed: it must not run again
      int furthest = -1;
      for (String line : beforeCrash) {
        String[] f = line.split(" ");
        if (f[0].equals("start") && f[1].equals(id)) {
          furthest = Math.max(furthest, order.indexOf(f[2]));
        }
      }
      for (String line : afterCrash) {
        String[] f = line.split(" ");
        if (f[0].equals("start") && f[1].equals(id)) {
          assertTrue(order.indexOf(f[2]) >= furthest,
              id + " " + f[2] + " ran again after the restart although the instance had moved on"
                  + " to step " + order.get(furthest) + " before the kill:\n" + log);
        }
      }
      // within one server's life, a step never starts again once it is done
      for (List<String> segment : List.of(beforeCrash, afterCrash)) {
        Map<String, Boolean> done = new HashMap<>();
        for (String line : segment) {
          String[] f = line.split(" ");
          if (!f[1].equals(id)) {
            continue;
          }
          if (f[0].equals("start")) {
            assertTrue(!done.containsKey(f[2]), id + " " + f[2] + " ran again after it completed");
            started.merge(id + " " + f[2], 1, Integer::sum);
          } else if (f[0].equals("done")) {
            done.put(f[2], true);
          }
        }
      }
      for (String step : order) {
        assertTrue(log.contains("done " + id + " " + step + " 1")
            || log.stream().anyMatch(l -> l.startsWith("done " + id + " " + step + " ")),
            id + " " + step + " completed");
      }
    }
    // the kill interrupted some attempts: their steps ran again after the restart
    long rerun = started.entrySet().stream()
        .filter(e -> !e.getKey().endsWith(" b") && e.getValue() > 1).count();
    assertTrue(rerun > 0, "some step was in flight at the kill and ran again");
  }
}
