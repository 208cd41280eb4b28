package dev.steadfast.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.testing.AgentsSmoke;
import dev.steadfast.testing.ApiClient;
import dev.steadfast.testing.Npm;
import dev.steadfast.testing.ServerKind;
import dev.steadfast.testing.ServerProcess;
import dev.steadfast.testing.Wrangler;
import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The same target/steadfast.war, unchanged, on the servers other than Payara Micro (where the full
 * suites run): a lean cross-section per server. Deploys it; through the unmodified wrangler
 * starts a workflow with a step and a sleep and one waiting for an event; connects the
 * unmodified {@code agents} client, calls methods and has a schedule fire; then kills the server
 * with SIGKILL, restarts it on the same data and finds nothing lost (the event is delivered to
 * the instance that waited through the crash, the sleeping one completes, the agent keeps its
 * state).
 *
 * <p>Sleeps and schedules of 2 s or more are EJB timers, and so is the engine's poll: nothing
 * else wakes them, so their completing proves the server's EJB timers work.
 *
 * <p>{@code -Dsteadfast.it.servers=micro} skips these; otherwise a server that is not installed
 * (the build unpacks both into target/servers) fails the suite.
 */
class OtherServersIT {
  static final String ACCOUNT = "servers";

  /**
   * A team's own WAR with the library jar (UserWarIT's check), on PostgreSQL: the other test of
   * this class runs the shipped WAR on the built-in H2, so each server runs both databases.
   */
  @ParameterizedTest
  @EnumSource(value = ServerKind.class, names = {"WILDFLY", "PAYARA_SERVER"})
  void aUserWarWithTheLibraryRunsItsOwnWorkflowOnPostgres(ServerKind kind) throws Exception {
    Assumptions.assumeTrue(kind.isSelected(), () -> kind + " skipped: -Dsteadfast.it.servers="
        + System.getProperty("steadfast.it.servers") + " does not name it");
    Path pgData = ServerProcess.newDataDir("user-war-pg-" + kind.id());
    try (io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg =
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().setDataDirectory(pgData)
            .setCleanDataDirectory(true).start()) {
      try (java.sql.Connection c = pg.getPostgresDatabase().getConnection();
          java.sql.Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE shop");
      }
      dev.steadfast.server.UserWarIT.runsItsOwnWorkflow(kind, pg.getJdbcUrl("postgres", "shop"));
    }
  }

  @ParameterizedTest
  @EnumSource(value = ServerKind.class, names = {"WILDFLY", "PAYARA_SERVER"})
  void workflowsAgentsTimersAndKill9(ServerKind kind) throws Exception {
    Assumptions.assumeTrue(kind.isSelected(), () -> kind + " skipped: -Dsteadfast.it.servers="
        + System.getProperty("steadfast.it.servers") + " does not name it");
    assertTrue(kind.isInstalled(), () -> kind + " is not installed at " + kind.home()
        + ": run `mvn package` (it unpacks the server), or pass -Dsteadfast.it.servers=micro");
    Path wranglerDir = Wrangler.installed();
    Npm.install(AgentsSmoke.DIR, "agents");
    String nonce = "n-" + UUID.randomUUID();
    String agentName = "servers-" + kind.id();

    try (ServerProcess server = new ServerProcess(kind, ServerProcess.shippedWar(),
        ServerProcess.newDataDir("servers-" + kind.id()))
        .env("STEADFAST_ACCOUNT_ID", ACCOUNT)
        .env("STEADFAST_AGENTS_DEMO_TOKEN", "secret")) {
      server.start();
      System.out.println(kind + ": first start ready in " + server.startupTime().toMillis() + " ms");
      Wrangler wrangler = new Wrangler(wranglerDir, server, ACCOUNT);
      ApiClient api = new ApiClient(server.apiBase() + "/accounts/" + ACCOUNT, ServerProcess.TOKEN);

      contains(wrangler.ok("workflows", "list"), "invoice", "approval");
      wrangler.ok("workflows", "trigger", "invoice", cart("2 seconds"), "--id", "inv-1");
      wrangler.ok("workflows", "trigger", "approval",
          "{\"title\":\"laptop\",\"amount\":1200,\"timeout\":\"1 hour\"}", "--id", "appr-1");
      JsonObject invoice = await(api, "invoice", "inv-1", "complete");
      assertEquals("INV-inv-1", invoice.getJsonObject("output").getString("number"));
      assertEquals(300, invoice.getJsonObject("output").getInt("totalCents"));
      await(api, "approval", "appr-1", "waiting");
      // still asleep when the server is killed
      wrangler.ok("workflows", "trigger", "invoice", cart("8 seconds"), "--id", "inv-2");
      await(api, "invoice", "inv-2", "waiting");

      assertEquals(0, node(server, "before", agentName, nonce),
          "agents client (before the kill) failed; see output above");

      server.kill();
      server.start();
      System.out.println(kind + ": restart after kill -9 ready in "
          + server.startupTime().toMillis() + " ms");
      api = new ApiClient(server.apiBase() + "/accounts/" + ACCOUNT, ServerProcess.TOKEN);

      // the instance completed before the kill, with every step, the sleep included
      contains(wrangler.ok("workflows", "instances", "describe", "invoice", "inv-1"),
          "charge cart-1", "grace period-1", "create invoice-1", "send invoice-1");
      assertEquals(invoice, await(api, "invoice", "inv-1", "complete"));
      wrangler.ok("workflows", "instances", "send-event", "approval", "appr-1", "--type",
          "approval", "--payload", "{\"approved\":true,\"reason\":\"after the crash\"}");
      JsonObject approved = await(api, "approval", "appr-1", "complete");
      assertEquals("approved", approved.getJsonObject("output").getString("status"));
      assertEquals("after the crash", approved.getJsonObject("output").getString("reason"));
      JsonObject slept = await(api, "invoice", "inv-2", "complete");
      assertEquals("INV-inv-2", slept.getJsonObject("output").getString("number"));
      assertEquals(0, node(server, "after", agentName, nonce),
          "agents client (after the restart) failed; see output above");

      // a clean stop (SIGTERM): the server lets go of its server id and its agents before the
      // embedded database closes, so that the next start takes over nothing (on Payara, whose
      // signal stop skips the singletons' @PreDestroy, through StopWithTheApplication)
      server.close();
      assertTrue(server.awaitExit(java.time.Duration.ofSeconds(30)), kind + " did not stop");
      try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:h2:file:"
          + server.dataDir().resolve("db/steadfast") + ";IFEXISTS=TRUE", "sa", "");
          java.sql.Statement st = c.createStatement()) {
        assertEquals(0, count(st, "SELECT COUNT(*) FROM sf_server WHERE nonce IS NOT NULL"),
            kind + ": the server id was not let go at a clean stop");
        assertEquals(0, count(st, "SELECT COUNT(*) FROM sf_agent_owner"),
            kind + ": agents still leased after a clean stop");
      }
    }
  }

  static int count(java.sql.Statement st, String sql) throws java.sql.SQLException {
    try (java.sql.ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  static String cart(String grace) {
    return "{\"customer\":\"ada@example.com\",\"lines\":[{\"product\":\"pen\",\"quantity\":2,\"unitCents\":150}],"
        + "\"grace\":\"" + grace + "\"}";
  }

  static void contains(String out, String... parts) {
    for (String p : parts) {
      assertTrue(out.contains(p), () -> "expected '" + p + "' in:\n" + out);
    }
  }

  static JsonObject await(ApiClient api, String workflow, String id, String expected)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    JsonObject r = null;
    while (System.currentTimeMillis() < deadline) {
      r = api.get("/workflows/" + workflow + "/instances/" + id).json();
      if (r.getBoolean("success") && r.getJsonObject("result").getString("status").equals(expected)) {
        return r.getJsonObject("result");
      }
      Thread.sleep(100);
    }
    throw new AssertionError(workflow + "/" + id + " did not become " + expected + ": " + r);
  }

  /** src/test/e2e/agents/smoke.mjs in {@code phase} against {@code server}; its exit code. */
  static int node(ServerProcess server, String phase, String name, String nonce) throws Exception {
    return AgentsSmoke.run(server.dataDir().resolveSibling("node-" + phase + ".log"),
        "127.0.0.1:" + server.port(), "secret", phase, name, nonce, false);
  }
}
