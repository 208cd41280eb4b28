package dev.steadfast.testing;

import java.util.Map;

/**
 * One Payara Micro with the shipped WAR and its defaults, shared by the integration tests that
 * only read and add (each with ids of its own), so the suite pays one start-up (~25 s on two
 * cores) for them instead of one each. Tests that restart, kill, reconfigure the server or delete
 * what others may use (a workflow, every waiting instance) start their own {@link ServerProcess}.
 *
 * <p>{@code -Dsteadfast.it.sharedServer=false} gives each of them a server of its own again (to
 * rule out one test disturbing another when hunting a failure).
 */
public final class SharedServer {
  /** The account of the shared server: the default one. */
  public static final String ACCOUNT = "local";
  /** What agents clients of the demos must present on the shared server. */
  public static final String DEMO_TOKEN = "demo-secret";

  private static ServerProcess shared;

  private SharedServer() {}

  /** The shared server, started on first use and stopped when the test JVM exits. */
  public static synchronized ServerProcess get(String user) {
    if (!Boolean.parseBoolean(System.getProperty("steadfast.it.sharedServer", "true"))) {
      return ServerProcess.start(user, env());
    }
    if (shared == null || !shared.isAlive()) {
      shared = ServerProcess.start("shared", env());
      ServerProcess s = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(s::close, "shared-server-stop"));
    }
    return shared;
  }

  /** Stops {@code server} unless it is the shared one (which outlives the test class). */
  public static synchronized void release(ServerProcess server) {
    if (server != null && server != shared) {
      server.close();
    }
  }

  private static Map<String, String> env() {
    return Map.of("STEADFAST_ACCOUNT_ID", ACCOUNT, "STEADFAST_AGENTS_DEMO_TOKEN", DEMO_TOKEN);
  }
}
