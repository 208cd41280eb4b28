package dev.steadfast.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * End to end with the real {@code agents} npm client: starts the packaged WAR on Payara Micro,
 * runs {@code src/test/e2e/agents/test.mjs}, kills the server with SIGKILL, restarts it on the
 * same data and checks that a schedule set before the kill fires after the restart.
 */
class AgentsE2EIT {
  private static final Path BASE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
  private static final Path TARGET = BASE.resolve("target");
  private static final Path E2E = BASE.resolve("src/test/e2e/agents");
  private Process server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.destroyForcibly();
    }
  }

  @Test
  void realClientAgainstTheServerAndAScheduleSurvivesKill9() throws Exception {
    int port = freePort();
    Path work = TARGET.resolve("e2e-agents");
    deleteTree(work);
    Files.createDirectories(work);
    npmCi();
    String nonce = "reminder-" + UUID.randomUUID();

    server = startServer(port, work, "root1");
    Map<String, String> env = Map.of("STEADFAST_HOST", "127.0.0.1:" + port,
        "STEADFAST_TOKEN", "secret", "E2E_NONCE", nonce);
    assertEquals(0, node(env, "main", work), "node test (main phase) failed; see output above");

    server.destroyForcibly(); // SIGKILL: no shutdown hooks, no clean close
    server.waitFor(30, TimeUnit.SECONDS);
    // a fresh root dir: Payara remembers deployments in it and would deploy twice
    server = startServer(port, work, "root2");
    assertEquals(0, node(env, "after-restart", work), "node test (after restart) failed");
  }

  private static int freePort() throws IOException {
    for (int p = 8381; p <= 8389; p++) {
      try (ServerSocket s = new ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
        return p;
      } catch (IOException busy) {
        // try the next
      }
    }
    throw new IOException("no free port in 8381-8389");
  }

  private Process startServer(int port, Path work, String root) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx512m",
        "-Djava.io.tmpdir=" + work, "-jar", TARGET.resolve("payara-micro.jar").toString(),
        "--deploy", TARGET.resolve("steadfast.war").toString(), "--contextroot", "/",
        "--port", String.valueOf(port), "--nocluster", "--rootdir", work.resolve(root).toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("server.log").toFile()));
    pb.environment().put("STEADFAST_DATA_DIR", work.resolve("data").toString());
    pb.environment().put("STEADFAST_AGENTS_DEMO_TOKEN", "secret");
    pb.environment().put("STEADFAST_AGENTS_PING_SECONDS", "5");
    Process p = pb.start();
    long end = System.currentTimeMillis() + 240_000;
    while (System.currentTimeMillis() < end) {
      assertTrue(p.isAlive(), "server died; see " + work.resolve("server.log"));
      if (ready(port)) {
        return p;
      }
      Thread.sleep(1_000);
    }
    p.destroyForcibly();
    throw new AssertionError("server not ready in 240 s; see " + work.resolve("server.log"));
  }

  private static boolean ready(int port) {
    try {
      HttpURLConnection c = (HttpURLConnection)
          URI.create("http://127.0.0.1:" + port + "/health/ready").toURL().openConnection();
      c.setConnectTimeout(1_000);
      c.setReadTimeout(2_000);
      return c.getResponseCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  private static void npmCi() throws Exception {
    if (Files.isDirectory(E2E.resolve("node_modules/agents"))
        && Files.isDirectory(E2E.resolve("node_modules/ws"))) {
      return;
    }
    Process p = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(E2E.toFile())
        .inheritIO().start();
    assertEquals(0, p.waitFor(), "npm ci failed");
  }

  private static int node(Map<String, String> env, String phase, Path work) throws Exception {
    Path log = work.resolve("node-" + phase + ".log");
    ProcessBuilder pb = new ProcessBuilder("node", "--test", "--test-reporter=spec", "test.mjs")
        .directory(E2E.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    pb.environment().put("E2E_PHASE", phase);
    Process p = pb.start();
    boolean done = p.waitFor(300, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    // through System.out, not the inherited stream, so the test report keeps it
    System.out.println(Files.readString(log));
    return done ? p.exitValue() : -1;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }
}
