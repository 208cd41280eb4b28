package dev.steadfast.crash;

import dev.steadfast.testing.Http;
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
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the real server in the middle of 24 instances (in steps, sleeps, retry delays and
 * event waits), a restart (with the same data directory on H2; with a new server id on
 * PostgreSQL), and proof from the probe's own log that
 * every instance completes and no completed step ran again.
 */
class CrashRecoveryIT {
  static final int INSTANCES = 24;
  final HttpClient http = Http.client();

  /**
   * The shipped WAR plus the probe workflow and its test servlet, in a file of its own per call:
   * the crash suites run side by side, and one rewriting a shared file while another's server
   * read it gave that server an invalid WAR (PoisonStepIT's server deployed nothing once).
   */
  static Path probeWar() throws IOException {
    Path dir = Path.of("target", "it");
    Files.createDirectories(dir);
    Path war = Files.createTempFile(dir, "crash-probe-", ".war");
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(Path.of("target", "steadfast.war")));
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(war))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        out.putNextEntry(new ZipEntry(e.getName()));
        in.transferTo(out);
        out.closeEntry();
      }
      for (Class<?> c : List.of(CrashProbeWorkflow.class, CrashProbeServlet.class,
          PoisonProbeWorkflow.class)) {
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
    crashAndRecover(data, () -> new ServerProcess(war, data), () -> new ServerProcess(war, data));
  }

  /**
   * The same on PostgreSQL, and the server that comes back has a new server id (another node, a
   * replaced container): it takes the killed server's instances over once their leases expire.
   */
  @Test
  void onPostgresAServerWithANewIdTakesOverTheKilledServersInstances() throws Exception {
    Path war = probeWar();
    Path data = ServerProcess.newDataDir("crash-pg");
    Path pgData = data.resolveSibling("pg");
    int pgPort;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      pgPort = free.getLocalPort();
    }
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setPort(pgPort)
        .setDataDirectory(pgData).setCleanDataDirectory(true).start()) {
      try (Connection c = pg.getPostgresDatabase().getConnection();
          Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE steadfast");
      }
      java.util.function.Function<String, ServerProcess> server = id -> new ServerProcess(war, data)
          .env("STEADFAST_DB_URL", "jdbc:postgresql://127.0.0.1:" + pgPort + "/steadfast")
          .env("STEADFAST_DB_USER", "postgres")
          .env("STEADFAST_DB_PASSWORD", "postgres")
          .env("STEADFAST_SERVER_ID", id)
          .env("STEADFAST_LEASE", "5 seconds");
      crashAndRecover(data, () -> server.apply("crash-a"), () -> server.apply("crash-b"));
      try (Connection c = pg.getDatabase("postgres", "steadfast").getConnection();
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM sf_instance"
              + " WHERE workflow_name = 'crash-probe' AND status = 'complete'")) {
        assertTrue(rs.next());
        assertEquals(INSTANCES, rs.getInt(1), "every instance is complete in PostgreSQL");
      }
    }
  }

  interface Server {
    ServerProcess make() throws Exception;
  }

  void crashAndRecover(Path data, Server before, Server after) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < INSTANCES; i++) {
      ids.add("probe-" + i);
    }
    ServerProcess first = before.make().start();
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

    try (ServerProcess second = after.make().start()) {
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
