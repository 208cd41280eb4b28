package dev.steadfast.server;

import dev.steadfast.testing.ServerProcess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.testapp.DemoTriggerServlet;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * The real server (target/steadfast.war, plus a servlet to start demo workflows) on Payara Micro
 * with a genuine PostgreSQL, configured exactly as docker/compose.yaml configures it: {@code
 * STEADFAST_DB_URL}, {@code STEADFAST_DB_USER}, {@code STEADFAST_DB_PASSWORD}, {@code
 * STEADFAST_DATA_DIR}.
 */
class PostgresServerIT {
  @Test
  void demoWorkflowsCompleteOnPostgres() throws Exception {
    Path target = TestWars.target();
    File server = target.resolve("steadfast.war").toFile();
    assertTrue(server.isFile(), server + " is built by `mvn package`");
    File war = target.resolve("it-wars/steadfast-pg.war").toFile();
    war.getParentFile().mkdirs();
    ShrinkWrap.createFromZipFile(WebArchive.class, server)
        .addClass(DemoTriggerServlet.class)
        .as(ZipExporter.class).exportTo(war, true);

    Path pgData = TestWars.emptyDirectory(target.resolve("it-data/postgres-db"));
    Path data = TestWars.emptyDirectory(target.resolve("it-data/postgres-server"));
    int pgPort = TestWars.freePort(8284, 8289);
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setPort(pgPort)
        .setDataDirectory(pgData).setCleanDataDirectory(true).start()) {
      try (Connection c = pg.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE steadfast");
      }
      try (ServerProcess payara = new ServerProcess(war.toPath(), data)
          .env("STEADFAST_EXAMPLES_ENABLED", "true") // off by default with a database of one's own
          .env("STEADFAST_DB_URL", "jdbc:postgresql://127.0.0.1:" + pgPort + "/steadfast")
          .env("STEADFAST_DB_USER", "postgres")
          .env("STEADFAST_DB_PASSWORD", "postgres")) {
        payara.start();

        String processing = "proc-" + UUID.randomUUID();
        String invoice = "inv-" + UUID.randomUUID();
        assertCreated(payara.call("/it/demo?run=processing&id=" + processing, ""));
        assertCreated(payara.call("/it/demo?run=invoice&id=" + invoice, ""));

        String p = await(payara, "processing", processing);
        assertTrue(p.startsWith("complete"), p);
        assertTrue(p.contains("\"processed\":3") && p.contains("GAMMA"), p);
        String i = await(payara, "invoice", invoice);
        assertTrue(i.startsWith("complete"), i);
        assertTrue(i.contains("\"totalCents\":2500") && i.contains("INV-" + invoice), i);
      }

      // the state is in PostgreSQL: instance rows and their step journal
      try (Connection c = pg.getDatabase("postgres", "steadfast").getConnection();
          PreparedStatement q = c.prepareStatement("SELECT i.status, COUNT(s.step_key)"
              + " FROM sf_instance i JOIN sf_step s ON s.instance_uid = i.uid"
              + " WHERE i.workflow_name = ? GROUP BY i.status")) {
        q.setString(1, "invoice");
        try (ResultSet r = q.executeQuery()) {
          assertTrue(r.next(), "an invoice instance in PostgreSQL");
          assertEquals("complete", r.getString(1));
          assertEquals(4, r.getInt(2), "charge, sleep, create, send");
        }
      }
    }
  }

  private static void assertCreated(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r::body);
  }

  private static String await(ServerProcess payara, String run, String id) throws Exception {
    String status = "";
    long end = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < end) {
      status = payara.call("/it/demo?run=" + run + "&id=" + id, null).body();
      if (status.startsWith("complete") || status.startsWith("errored")
          || status.startsWith("terminated")) {
        return status;
      }
      Thread.sleep(200);
    }
    return status;
  }
}
