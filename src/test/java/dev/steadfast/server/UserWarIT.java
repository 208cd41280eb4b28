package dev.steadfast.server;

import dev.steadfast.testing.Http;
import dev.steadfast.testing.ServerProcess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.shop.WelcomeWorkflow;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import dev.steadfast.testing.ServerKind;
import org.junit.jupiter.api.Test;

/**
 * Steadfast as a library: a user's own WAR (package {@code com.example.shop}: a workflow, a CDI
 * bean, a servlet) with the library jar {@code target/steadfast-lib.jar} and the runtime
 * dependencies it brings in WEB-INF/lib, run on Payara Micro (here) and on WildFly and Payara
 * Server (by OtherServersIT) as a process,
 * configured by environment variables only.
 */
public class UserWarIT {
  /** The WAR a user's Maven build would produce (see docs/library.md). */
  static File userWar(ServerKind kind) {
    Path target = TestWars.target();
    File library = target.resolve("steadfast-lib.jar").toFile();
    assertTrue(library.isFile(), library + " is built by `mvn package`");
    WebArchive war = ShrinkWrap.create(WebArchive.class, "shop.war")
        .addPackage(WelcomeWorkflow.class.getPackage())
        .addAsWebInfResource(new StringAsset("""
            <?xml version="1.0" encoding="UTF-8"?>
            <beans xmlns="https://jakarta.ee/xml/ns/jakartaee" version="4.0"
                   bean-discovery-mode="annotated"/>
            """), "beans.xml")
        .addAsLibrary(library)
        .addAsLibraries(TestWars.runtimeLibraries());
    // a file per server: the suites of two servers may build it at the same time
    File file = target.resolve("it-wars").resolve(kind.id()).resolve("shop.war").toFile();
    file.getParentFile().mkdirs();
    war.as(ZipExporter.class).exportTo(file, true);
    return file;
  }

  @Test
  void aUserWarRunsItsOwnWorkflow() throws Exception {
    runsItsOwnWorkflow(ServerKind.PAYARA_MICRO);
  }

  /**
   * The user's WAR on {@code kind}: its own servlets and workflow, the library's routes, no demo.
   * OtherServersIT runs it on WildFly and Payara Server (every start of those servers happens in
   * that one class, so that test classes run side by side never start two of them at once: their
   * fixed ports, such as WildFly's transaction recovery port, would collide).
   */
  public static void runsItsOwnWorkflow(ServerKind kind) throws Exception {
    runsItsOwnWorkflow(kind, null);
  }

  /**
   * The same on the PostgreSQL database {@code postgresUrl} (user and password {@code
   * postgres}), given by the STEADFAST_DB_* variables; null for the built-in H2 file.
   */
  public static void runsItsOwnWorkflow(ServerKind kind, String postgresUrl) throws Exception {
    File war = userWar(kind);
    // a directory of its own per server and run: the launchers keep the server's own state (a
    // WildFly base directory, a Payara domain) beside the data, and one left by an earlier run
    // would start with that run's deployment instead of this WAR
    Path data = TestWars.emptyDirectory(TestWars.target().resolve("it-data/user-war-" + kind))
        .resolve("data");
    ServerProcess server = new ServerProcess(kind, war.toPath(), data).contextRoot("/shop")
        .env("STEADFAST_API_ENABLED", "false");
    if (postgresUrl != null) {
      server.env("STEADFAST_DB_URL", postgresUrl).env("STEADFAST_DB_USER", "postgres")
          .env("STEADFAST_DB_PASSWORD", "postgres");
    }
    try (ServerProcess payara = server) {
      payara.start();
      // the application's own /agents/... path is not an agent route of the library. Payara
      // Server maps the application's URLs a moment after readiness turns UP (docs/deploy.md,
      // about 0.3 s): a 404 is tried again for up to 10 s, then it is the answer
      HttpResponse<String> order = payara.call("/shop/agents/orders/42", null);
      for (int i = 0; i < 100 && order.statusCode() == 404; i++) {
        Thread.sleep(100);
        order = payara.call("/shop/agents/orders/42", null);
      }
      assertEquals(200, order.statusCode(), order::body);
      assertEquals("order 42", order.body());
      // nothing at all serves this one: the agents protocol's answer
      HttpResponse<String> none = payara.call("/shop/agents/no-agent/x", null);
      assertEquals(400, none.statusCode(), none::body);
      assertEquals("Invalid request", none.body());
      // the REST API is switched off: not there, even with a token
      HttpResponse<String> api = Http.client().send(HttpRequest.newBuilder(
          URI.create(payara.url("/shop/client/v4/accounts/a/workflows")))
          .header("Authorization", "Bearer " + ServerProcess.TOKEN).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(404, api.statusCode(), api::body);
      String health = Http.client().send(HttpRequest.newBuilder(URI.create(payara.readyUrl()))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(health.matches("(?s).*\"workflows\"\\s*:\\s*\"?1\"?.*"),
          () -> "only the user's workflow is deployed, no demo: " + health);

      HttpResponse<String> created = payara.call("/shop/welcome?email=ada@example.com", "");
      assertEquals(200, created.statusCode(), created::body);
      String id = created.body().trim();

      String status = "";
      long end = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < end) {
        status = payara.call("/shop/welcome?id=" + id, null).body();
        if (!status.startsWith("queued") && !status.startsWith("running")
            && !status.startsWith("waiting")) {
          break;
        }
        Thread.sleep(200);
      }
      assertTrue(status.startsWith("complete"), "instance " + id + " ended as: " + status);
      assertTrue(status.contains("sent 'Welcome' to ada@example.com"), status);
      assertTrue(status.contains("sent 'Need help?' to ada@example.com"), status);
      if (postgresUrl == null) {
        assertTrue(Files.exists(data.resolve("db/steadfast.mv.db")),
            "the H2 database lives in STEADFAST_DATA_DIR " + data);
        return;
      }
      assertTrue(!Files.exists(data.resolve("db/steadfast.mv.db")), "no H2 file beside PostgreSQL");
      try (java.sql.Connection c = java.sql.DriverManager.getConnection(postgresUrl, "postgres",
              "postgres");
          java.sql.PreparedStatement q = c.prepareStatement(
              "SELECT status, (SELECT count(*) FROM sf_step t WHERE t.instance_uid = i.uid)"
                  + " FROM sf_instance i WHERE workflow_name = 'welcome' AND instance_id = ?")) {
        q.setString(1, id);
        try (java.sql.ResultSet rs = q.executeQuery()) {
          assertTrue(rs.next(), "instance " + id + " is in PostgreSQL");
          assertEquals("complete", rs.getString(1));
          assertTrue(rs.getInt(2) > 0, "its steps are journaled in PostgreSQL");
        }
      }
    }
  }
}
