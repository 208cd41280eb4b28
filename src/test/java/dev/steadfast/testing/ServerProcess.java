package dev.steadfast.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The real server as a user runs it, by default {@code java -jar payara-micro.jar --deploy <war>}
 * (or WildFly, or the full Payara Server: {@link ServerKind}), as a child process on a free
 * loopback port, with its own data directory under target/ and the same {@code STEADFAST_*}
 * environment on every kind. Integration tests talk to it over HTTP exactly as clients do. Ready
 * when MicroProfile Health reports the engine's own check (servers answer UP before any
 * application is deployed).
 *
 * <p>Finds the WAR and the servers through system properties (set by failsafe: {@code
 * steadfast.war}, {@code payara.microJar}, {@code steadfast.wildfly.home}, {@code
 * steadfast.payara.home}), else under {@code target/}. Accepts {@link #TOKEN} on the API.
 */
public final class ServerProcess implements AutoCloseable {
  public static final String TOKEN = "it-token-0123456789";

  private final ServerKind kind;
  private final ServerLauncher launcher;
  private final Path war;
  private final Path dataDir;
  private final Map<String, String> env = new LinkedHashMap<>();
  private final Path base;
  private String contextRoot = "/";
  private volatile int port;
  private Process process;
  private long startedAt;
  private Duration readyAfter;

  /**
   * A Payara Micro server for {@code war} keeping its state in {@code dataDir} (reusable across
   * restarts).
   */
  public ServerProcess(Path war, Path dataDir) {
    this(ServerKind.PAYARA_MICRO, war, dataDir);
  }

  /** A server of {@code kind} for {@code war} keeping its state in {@code dataDir}. */
  public ServerProcess(ServerKind kind, Path war, Path dataDir) {
    this.kind = kind;
    this.launcher = ServerLauncher.of(kind);
    this.war = war.toAbsolutePath();
    this.dataDir = dataDir.toAbsolutePath();
    this.base = this.dataDir.getParent();
  }

  /** Starts the shipped WAR with a fresh data directory; {@code env} adds variables. */
  public static ServerProcess start(String name, Map<String, String> env) {
    return start(ServerKind.PAYARA_MICRO, name, env);
  }

  /** Starts the shipped WAR on {@code kind} with a fresh data directory and {@code env}. */
  public static ServerProcess start(ServerKind kind, String name, Map<String, String> env) {
    ServerProcess s = new ServerProcess(kind, shippedWar(), newDataDir(name + "-" + kind.id()));
    env.forEach(s::env);
    try {
      return s.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static ServerProcess start(String name) {
    return start(name, Map.of());
  }

  static Path target() {
    return Path.of(System.getProperty("steadfast.target", "target")).toAbsolutePath();
  }

  /** target/steadfast.war, built by {@code mvn package}. */
  public static Path shippedWar() {
    return Path.of(System.getProperty("steadfast.war",
        target().resolve("steadfast.war").toString()));
  }

  /** A fresh data directory under target/it-servers. */
  public static Path newDataDir(String name) {
    Path dir = target().resolve("it-servers").resolve(name + "-" + System.nanoTime()).resolve("data");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** Adds an environment variable for the server (e.g. STEADFAST_DB_URL). */
  public ServerProcess env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Deploys the WAR at {@code path} instead of the root. */
  public ServerProcess contextRoot(String path) {
    this.contextRoot = path;
    return this;
  }

  /** Starts (or restarts, with the same data) the server and waits until it is ready. */
  public ServerProcess start() throws IOException, InterruptedException {
    if (!kind.isInstalled() || !Files.exists(war)) {
      throw new IllegalStateException("build first (mvn package): missing " + kind.home()
          + " or " + war);
    }
    Files.createDirectories(dataDir);
    port = ServerLauncher.freePort();
    List<String> cmd = launcher.command(new ServerLauncher.Launch(war, contextRoot, base, port));
    startedAt = System.nanoTime();
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    pb.environment().put("STEADFAST_DATA_DIR", dataDir.toString());
    pb.environment().put("STEADFAST_API_TOKENS", TOKEN);
    // the readiness wait tells this server's check from another's by the server id it shows
    pb.environment().put("STEADFAST_HEALTH_DETAILS", "true");
    pb.environment().putAll(env);
    process = pb.start();
    // nothing to read: Payara Server's admin service reads stdin up to its end at startup
    process.getOutputStream().close();
    // a loaded 2-core machine may take minutes to deploy: -Dsteadfast.it.readySeconds=N
    awaitReady(Duration.ofSeconds(Long.getLong("steadfast.it.readySeconds", 300)));
    readyAfter = Duration.ofNanos(System.nanoTime() - startedAt);
    launcher.ready();
    return this;
  }

  /** How long the last start took from launching the JVM to ready. */
  public Duration startupTime() {
    return readyAfter;
  }

  public ServerKind kind() {
    return kind;
  }

  /** Where the server answers MicroProfile Health (WildFly: on its management port). */
  public String readyUrl() {
    return launcher.readyUrl();
  }

  private void awaitReady(Duration timeout) throws InterruptedException, IOException {
    HttpClient http = Http.client();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("server exited with " + process.exitValue() + ":\n" + tail());
      }
      try {
        // a bounded wait of our own: on a loaded machine HttpClient.send was seen blocking for
        // minutes past the request's timeout
        HttpResponse<String> r = http.sendAsync(HttpRequest.newBuilder(
            URI.create(launcher.readyUrl())).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
        last = r.statusCode() + " " + r.body();
        // Payara answers before any application is deployed: wait for the engine's own check,
        // from this server (its id is in our data directory), not one another build started
        boolean details = !"false".equals(env.get("STEADFAST_HEALTH_DETAILS"));
        if (r.statusCode() == 200 && r.body().contains("workflow-engine")
            && (!details || r.body().contains(serverId()))) {
          return;
        }
      } catch (ExecutionException | TimeoutException notYet) {
        last = notYet.toString();
        if (!(notYet.getCause() instanceof java.net.ConnectException)) {
          http = Http.client(); // never again through a connection that stopped answering
        }
      }
      String failure = launcher.deploymentFailure(last, tail());
      if (failure != null) {
        close();
        throw new IllegalStateException("the deployment failed on " + kind + ": " + failure
            + "\n" + tail());
      }
      Thread.sleep(250);
    }
    close();
    throw new IllegalStateException("server not ready within " + timeout + " (" + last + "):\n"
        + tail());
  }

  private String serverId() {
    if (env.containsKey("STEADFAST_SERVER_ID")) {
      return env.get("STEADFAST_SERVER_ID");
    }
    Path file = dataDir.resolve("server-id");
    try {
      return Files.exists(file) ? Files.readString(file).trim() : "(no server id yet)";
    } catch (IOException e) {
      return "(no server id yet)";
    }
  }

  /** GET {@code path}, or POST {@code body} as JSON when it is not null. */
  public HttpResponse<String> call(String path, String body) throws IOException,
      InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)))
        .timeout(Duration.ofSeconds(30));
    if (body != null) {
      b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }
    return Http.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The server JVM's process id (for its CPU time in benchmarks). */
  public long pid() {
    return process.pid();
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public String url(String path) {
    return baseUrl() + path;
  }

  /** The base URL Cloudflare clients are given (CLOUDFLARE_API_BASE_URL). */
  public String apiBase() {
    return url("/client/v4");
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path log() {
    return base.resolve("server.log");
  }

  /** The last lines of the server's log, for failure messages. */
  public String tail() {
    Path serverLog = launcher.serverLog();
    Path file = serverLog != null && Files.exists(serverLog) ? serverLog : log();
    try {
      List<String> lines = Files.readAllLines(file);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** True while the server's JVM runs. */
  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Waits until the server's JVM has exited by itself; false if it still runs after timeout. */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return process == null || process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Kills the JVM at once (SIGKILL), as a crash would. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor();
    }
  }

  /** Stops the server cleanly (SIGTERM) and waits for it. */
  @Override
  public void close() {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
