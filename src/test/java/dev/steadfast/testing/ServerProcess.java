package dev.steadfast.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real server as a user runs it: {@code java -jar payara-micro.jar --deploy <war>} as a child
 * process on a free loopback port, with its own data directory under target/. Integration tests
 * talk to it over HTTP exactly as clients do. Ready when /health/ready reports the engine's own
 * check (Payara answers UP before any application is deployed).
 *
 * <p>Finds the jars through the system properties {@code payara.microJar} and {@code
 * steadfast.war} (set by failsafe), else under {@code target/}. Accepts {@link #TOKEN} on the API.
 */
public final class ServerProcess implements AutoCloseable {
  public static final String TOKEN = "it-token-0123456789";

  private final Path war;
  private final Path dataDir;
  private final Map<String, String> env = new LinkedHashMap<>();
  private final Path base;
  private String contextRoot = "/";
  private volatile int port;
  private Process process;

  /** A server for {@code war} keeping its state in {@code dataDir} (reusable across restarts). */
  public ServerProcess(Path war, Path dataDir) {
    this.war = war.toAbsolutePath();
    this.dataDir = dataDir.toAbsolutePath();
    this.base = this.dataDir.getParent();
  }

  /** Starts the shipped WAR with a fresh data directory; {@code env} adds variables. */
  public static ServerProcess start(String name, Map<String, String> env) {
    ServerProcess s = new ServerProcess(shippedWar(), newDataDir(name));
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
    Path jar = Path.of(System.getProperty("payara.microJar",
        target().resolve("payara-micro.jar").toString()));
    if (!Files.exists(jar) || !Files.exists(war)) {
      throw new IllegalStateException("build first (mvn package): missing " + jar + " or " + war);
    }
    Files.createDirectories(dataDir);
    port = freePort();
    // a fresh root per start: Payara Micro redeploys whatever an old root remembers
    Path root = base.resolve("root-" + System.nanoTime());
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // as the Dockerfile's JAVA_OPTS: the shipped heap, and JSON-P without a ServiceLoader
        // scan per Json.createX call (docs/benchmarks.md)
        "-Xmx512m", "-Djakarta.json.provider=org.eclipse.parsson.JsonProviderImpl",
        "-Djava.io.tmpdir=" + base,
        "-jar", jar.toString(), "--deploy", war.toString(), "--contextroot", contextRoot,
        "--port", String.valueOf(port), "--nocluster", "--rootdir", root.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    pb.environment().put("STEADFAST_DATA_DIR", dataDir.toString());
    pb.environment().put("STEADFAST_API_TOKENS", TOKEN);
    pb.environment().putAll(env);
    process = pb.start();
    // a loaded 2-core machine may take minutes to deploy: -Dsteadfast.it.readySeconds=N
    awaitReady(Duration.ofSeconds(Long.getLong("steadfast.it.readySeconds", 300)));
    return this;
  }

  private void awaitReady(Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("server exited with " + process.exitValue() + ":\n" + tail());
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url("/health/ready")))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        last = r.statusCode() + " " + r.body();
        // Payara answers before any application is deployed: wait for the engine's own check,
        // from this server (its id is in our data directory), not one another build started
        if (r.statusCode() == 200 && r.body().contains("workflow-engine")
            && r.body().contains(serverId())) {
          return;
        }
        if (r.body().contains("No Application deployed") && tail().contains(" ready in ")) {
          close();
          throw new IllegalStateException("the deployment failed: " + last + "\n" + tail());
        }
      } catch (IOException notYet) {
        last = notYet.toString();
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
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
    try {
      List<String> lines = Files.readAllLines(log());
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
