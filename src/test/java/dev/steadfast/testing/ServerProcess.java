package dev.steadfast.testing;

import java.io.IOException;
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

/**
 * The real server as a user runs it: {@code java -jar payara-micro.jar --deploy <war>} in its own
 * process, on a free loopback port, with its own data directory. Ready when /health/ready
 * answers 200.
 */
public final class ServerProcess implements AutoCloseable {
  private final Path war;
  private final Path dataDir;
  private final Map<String, String> env = new LinkedHashMap<>();
  private final int port;
  private final Path log;
  private Process process;

  public ServerProcess(Path war, Path dataDir) {
    this.war = war;
    this.dataDir = dataDir;
    this.port = freePort();
    this.log = dataDir.resolveSibling(dataDir.getFileName() + "-server.log");
  }

  /** Adds an environment variable for the server (e.g. STEADFAST_DB_URL). */
  public ServerProcess env(String name, String value) {
    env.put(name, value);
    return this;
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public Path log() {
    return log;
  }

  /** Starts the server and waits until it is ready (or fails with the end of its log). */
  public ServerProcess start() throws IOException, InterruptedException {
    Files.createDirectories(dataDir);
    // a fresh root per start: Payara Micro redeploys what an old root remembers
    Path root = dataDir.resolveSibling(dataDir.getFileName() + "-payara-root-" + System.nanoTime());
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m",
        "-Djava.io.tmpdir=" + dataDir.getParent().toAbsolutePath(),
        "-jar", Path.of("target", "payara-micro.jar").toAbsolutePath().toString(),
        "--deploy", war.toAbsolutePath().toString(),
        "--contextroot", "/",
        "--port", String.valueOf(port),
        "--nocluster",
        "--rootdir", root.toAbsolutePath().toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("STEADFAST_DATA_DIR", dataDir.toAbsolutePath().toString());
    pb.environment().putAll(env);
    process = pb.start();
    awaitReady(Duration.ofSeconds(120));
    return this;
  }

  private void awaitReady(Duration timeout) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("server exited with " + process.exitValue() + ":\n" + tail());
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create(baseUrl() + "/health/ready")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        // Payara answers UP before any application is deployed: wait for our own check
        if (r.statusCode() == 200 && r.body().contains("workflow-engine")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("server not ready within " + timeout + ":\n" + tail());
  }

  /** The last lines of the server's log, for failure messages. */
  public String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
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
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A fresh directory under target/ for one test's server state. */
  public static Path newDataDir(String name) throws IOException {
    Path dir = Path.of("target", "it", name + "-" + System.nanoTime());
    Files.createDirectories(dir.getParent());
    return dir;
  }
}
