package dev.steadfast.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.steadfast.testing.Npm;
import dev.steadfast.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * End to end with the real {@code agents} npm client: starts the packaged WAR on Payara Micro,
 * runs src/test/e2e/agents/test.mjs (node's test runner) against it, kills the server with
 * SIGKILL, restarts it on the same data under a configured agent prefix and checks that a
 * schedule set before the kill fires and that the prefix routes.
 */
class AgentsE2EIT {
  private static final Path E2E =
      Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("src/test/e2e/agents");

  @Test
  void realClientAgainstTheServerAndAScheduleSurvivesKill9() throws Exception {
    Npm.install(E2E, "agents");
    String nonce = "reminder-" + UUID.randomUUID();
    ServerProcess server = new ServerProcess(ServerProcess.shippedWar(),
        ServerProcess.newDataDir("agents-e2e"))
        .env("STEADFAST_AGENTS_DEMO_TOKEN", "secret")
        .env("STEADFAST_AGENTS_PING_SECONDS", "5");
    try {
      server.start();
      assertEquals(0, node(server, nonce, "main"), "node test (main phase) failed; see output above");
      server.kill(); // SIGKILL: no shutdown hooks, no clean close
      // the restart also moves the agents under a configured prefix (no extra server start)
      server.env("STEADFAST_AGENTS_PREFIX", "/e2e//agents/").start();
      assertEquals(0, node(server, nonce, "after-restart"), "node test (after restart) failed");
    } finally {
      server.close();
    }
  }

  private static int node(ServerProcess server, String nonce, String phase) throws Exception {
    Path log = server.dataDir().resolveSibling("node-" + phase + ".log");
    ProcessBuilder pb = new ProcessBuilder("node", "--test", "--test-reporter=spec", "test.mjs")
        .directory(E2E.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(Map.of("STEADFAST_HOST", "127.0.0.1:" + server.port(),
        "STEADFAST_TOKEN", "secret", "E2E_NONCE", nonce, "E2E_PHASE", phase));
    if (phase.equals("after-restart")) {
      pb.environment().put("E2E_PREFIX", "/e2e/agents"); // as a client might write it
    }
    Process p = pb.start();
    boolean done = p.waitFor(300, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    // through System.out, not an inherited stream, so the test report keeps it
    System.out.println(Files.readString(log));
    return done ? p.exitValue() : -1;
  }
}
