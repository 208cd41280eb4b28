package dev.steadfast.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.api.Sse;
import dev.steadfast.testing.AgentsSmoke;
import dev.steadfast.testing.ApiClient;
import dev.steadfast.testing.Http;
import dev.steadfast.testing.Npm;
import dev.steadfast.testing.ServerProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * docker/compose.yaml without Docker: two nodes of the shipped WAR (Payara Micro) on one
 * PostgreSQL, behind Debian's nginx running docker/nginx.conf itself (only the two upstream
 * addresses and the listen address are put in for this machine). Through the proxy: the REST
 * API, the event stream of an instance (Server-Sent Events, unbuffered), the unmodified
 * {@code agents} client over WebSocket (RPC, state synced to a second client, a schedule firing);
 * then one node is killed and everything still works through the proxy, the agent taken over by
 * the other node with its state.
 *
 * <p>nginx comes from Debian's package ({@code .ci/run} installs it, as it does Chromium).
 */
class TwoNodesBehindProxyIT {
  static final String ACCOUNT = "proxied";
  static final String DEMO_TOKEN = "proxy-demo-token";

  @Test
  void apiEventStreamAndAgentsPassTheProxyAndSurviveANode() throws Exception {
    Path nginx = Path.of("/usr/sbin/nginx");
    assertTrue(Files.isExecutable(nginx), "nginx is Debian's package nginx (.ci/run installs it)");
    Npm.install(AgentsSmoke.DIR, "agents");
    Path base = ServerProcess.newDataDir("proxy").getParent();
    Path pgData = Files.createDirectories(base.resolve("pg"));
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(pgData)
        .setCleanDataDirectory(true).start()) {
      try (Connection c = pg.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE steadfast");
      }
      String dbUrl = pg.getJdbcUrl("postgres", "steadfast");
      try (ServerProcess node1 = node("proxy-node1", dbUrl);
          ServerProcess node2 = node("proxy-node2", dbUrl)) {
        node1.start();
        node2.start();
        int port = freePort();
        Process proxy = startNginx(nginx, base.resolve("nginx"), port, node1.port(), node2.port());
        try {
          String front = "http://127.0.0.1:" + port;
          awaitReady(front);
          ApiClient api = new ApiClient(front + "/client/v4/accounts/" + ACCOUNT,
              ServerProcess.TOKEN);

          // the API and the event stream of an instance through the proxy
          String id = "px-" + UUID.randomUUID();
          assertEquals(200, api.send("POST", "/workflows/approval/instances",
              "{\"instance_id\":\"" + id + "\",\"params\":{\"title\":\"proxy\"}}").status());
          Sse live = Sse.open(front + "/client/v4/accounts/" + ACCOUNT
              + "/workflows/approval/instances/" + id + "/subscribe", ServerProcess.TOKEN, null);
          assertEquals(200, live.status);
          assertTrue(live.contentType.startsWith("text/event-stream"), live.contentType);
          List<Sse.Event> seen = new ArrayList<>();
          live.until(seen, "wait_started");
          // sent while the stream is open: it must arrive as it happens, not when the stream ends
          assertEquals(200, api.send("POST", "/workflows/approval/instances/" + id
              + "/events/approval", "{\"approved\":true,\"reason\":\"through nginx\"}").status());
          live.until(seen, "workflow_completed");
          assertEquals("complete", status(api, id));
          // the state is in PostgreSQL: the instance row and its step journal
          try (Connection c = pg.getDatabase("postgres", "steadfast").getConnection();
              java.sql.PreparedStatement q = c.prepareStatement("SELECT i.status,"
                  + " COUNT(s.step_key) FROM sf_instance i JOIN sf_step s"
                  + " ON s.instance_uid = i.uid WHERE i.instance_id = ? GROUP BY i.status")) {
            q.setString(1, id);
            try (java.sql.ResultSet rs = q.executeQuery()) {
              assertTrue(rs.next(), "the instance is a row in PostgreSQL");
              assertEquals("complete", rs.getString(1));
              assertTrue(rs.getInt(2) >= 2, "its steps are rows too: " + rs.getInt(2));
            }
          }

          // the agents client over WebSocket through the proxy
          String name = "proxied-" + UUID.randomUUID();
          String nonce = "n-" + UUID.randomUUID();
          assertEquals(0, agents(base, port, "before", name, nonce),
              "agents client through the proxy failed; see output above");

          // the node the agent is live on dies: the proxy sends everything to the other, which
          // takes the agent over once its lease (5 s here) has run out
          String owner;
          try (Connection c = pg.getDatabase("postgres", "steadfast").getConnection();
              java.sql.PreparedStatement q = c.prepareStatement(
                  "SELECT owner FROM sf_agent_owner WHERE name = ?")) {
            q.setString(1, name);
            try (java.sql.ResultSet rs = q.executeQuery()) {
              assertTrue(rs.next(), "the agent is live on a node");
              owner = rs.getString(1);
            }
          }
          ServerProcess holder = serverId(node1).equals(owner) ? node1 : node2;
          assertEquals(owner, serverId(holder), "the agent's owner is one of the two nodes");
          holder.kill();
          String after = "px-after-" + UUID.randomUUID();
          assertEquals(200, api.send("POST", "/workflows/approval/instances",
              "{\"instance_id\":\"" + after + "\",\"params\":{\"title\":\"after\"}}").status());
          await(api, after, "waiting");
          assertEquals(0, agents(base, port, "after", name, nonce),
              "agents client after a node died failed; see output above");
        } finally {
          proxy.destroy();
          proxy.waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  private static String serverId(ServerProcess node) throws java.io.IOException {
    return Files.readString(node.dataDir().resolve("server-id")).strip();
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static ServerProcess node(String name, String dbUrl) {
    return new ServerProcess(ServerProcess.shippedWar(), ServerProcess.newDataDir(name))
        .env("STEADFAST_ACCOUNT_ID", ACCOUNT)
        .env("STEADFAST_DB_URL", dbUrl)
        .env("STEADFAST_DB_USER", "postgres")
        .env("STEADFAST_DB_PASSWORD", "postgres")
        .env("STEADFAST_EXAMPLES_ENABLED", "true") // off by default with a database of one's own
        .env("STEADFAST_AGENTS_DEMO_TOKEN", DEMO_TOKEN)
        .env("STEADFAST_AGENTS_LEASE", "5 seconds")
        .env("STEADFAST_LEASE", "5 seconds");
  }

  /**
   * nginx with docker/nginx.conf as its server configuration, on this machine's addresses and
   * with its files under {@code dir}.
   */
  private static Process startNginx(Path nginx, Path dir, int port, int node1, int node2)
      throws Exception {
    Files.createDirectories(dir.resolve("logs"));
    Path basedir = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    String site = Files.readString(basedir.resolve("docker/nginx.conf"));
    String local = site.replace("server node1:8080;", "server 127.0.0.1:" + node1 + ";")
        .replace("server node2:8080;", "server 127.0.0.1:" + node2 + ";")
        .replace("listen 80;", "listen 127.0.0.1:" + port + ";");
    assertTrue(!local.equals(site) && !local.contains("node1:8080") && !local.contains("listen 80;"),
        "docker/nginx.conf no longer has the upstreams and listen line this test fills in");
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, String.join("\n",
        "daemon off;",
        "worker_processes 1;",
        "user root;",
        "pid " + dir.resolve("nginx.pid") + ";",
        "error_log " + dir.resolve("logs/error.log") + " info;",
        "events { worker_connections 256; }",
        "http {",
        "  access_log " + dir.resolve("logs/access.log") + ";",
        "  client_body_temp_path " + dir.resolve("body") + ";",
        "  proxy_temp_path " + dir.resolve("proxy") + ";",
        "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
        "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
        "  scgi_temp_path " + dir.resolve("scgi") + ";",
        local,
        "}", ""));
    Process p = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-c", conf.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("logs/stdout.log").toFile()).start();
    return p;
  }

  private static void awaitReady(String front) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = Http.client().send(HttpRequest.newBuilder(
            URI.create(front + "/health/ready")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
        last = r.statusCode() + " " + r.body();
      } catch (java.io.IOException e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the proxy never answered ready: " + last);
  }

  private static String status(ApiClient api, String id) {
    JsonObject r = api.get("/workflows/approval/instances/" + id).json();
    return r.getJsonObject("result").getString("status");
  }

  private static void await(ApiClient api, String id, String expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String s = "";
    while (System.nanoTime() < deadline) {
      s = status(api, id);
      if (s.equals(expected)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(id + " did not become " + expected + ": " + s);
  }

  /** src/test/e2e/agents/smoke.mjs through the proxy, with the client's connection log. */
  private static int agents(Path base, int port, String phase, String name, String nonce)
      throws Exception {
    return AgentsSmoke.run(base.resolve("agents-" + phase + ".log"), "127.0.0.1:" + port,
        DEMO_TOKEN, phase, name, nonce, true);
  }
}
