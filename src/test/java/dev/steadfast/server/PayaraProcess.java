package dev.steadfast.server;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Payara Micro started as a separate process, the way a user runs it ({@code java -jar
 * payara-micro.jar --deploy app.war}); its output goes to a log file under target/. Ready when
 * {@code /health/ready} reports the workflow engine UP: Payara prints "ready" even when the
 * deployment failed, and an application that failed to deploy leaves the health endpoint UP with
 * no checks at all.
 */
final class PayaraProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Process process;
  private final Path log;
  private final int port;
  private final Path dataDir;

  private PayaraProcess(Process process, Path log, int port, Path dataDir) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.dataDir = dataDir;
  }

  /**
   * Starts Payara Micro on {@code port} with {@code wars} deployed (the first at {@code
   * contextRoot}) and the environment variables {@code env} (the Steadfast configuration, which
   * must include {@code STEADFAST_DATA_DIR}).
   */
  static PayaraProcess start(String name, int port, String contextRoot, Map<String, String> env,
      File... wars) {
    Path dataDir = Path.of(env.get("STEADFAST_DATA_DIR"));
    Path target = TestWars.target();
    Path log = target.resolve("it-logs/" + name + ".log");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-Djava.io.tmpdir=" + target,
        "-jar", System.getProperty("payara.microJar", target.resolve("payara-micro.jar").toString()),
        "--nocluster", "--port", String.valueOf(port), "--contextroot", contextRoot));
    for (File war : wars) {
      cmd.add("--deploy");
      cmd.add(war.getAbsolutePath());
    }
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      pb.environment().putAll(env);
      return new PayaraProcess(pb.start(), log, port, dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the workflow engine reports ready; returns the milliseconds it took. */
  long awaitReady(Duration timeout) throws InterruptedException {
    long t0 = System.currentTimeMillis();
    long end = t0 + timeout.toMillis();
    String last = "no answer";
    while (System.currentTimeMillis() < end) {
      if (!process.isAlive()) {
        throw new AssertionError("Payara Micro exited with " + process.exitValue() + "; see " + log);
      }
      try {
        HttpResponse<String> r = HTTP.send(
            HttpRequest.newBuilder(url("/health/ready")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        last = r.statusCode() + " " + r.body();
        // the server id (written to the data directory at engine start) tells our server from
        // one that another build started on the same port
        if (r.statusCode() == 200 && r.body().contains("workflow-engine")
            && r.body().contains(serverId())) {
          return System.currentTimeMillis() - t0;
        }
        if (r.body().contains("No Application deployed") && bootFinished()) {
          throw new AssertionError("the deployment failed: " + last + "; see " + log);
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(500);
    }
    throw new AssertionError("not ready after " + timeout + ": " + last + "; see " + log);
  }

  private String serverId() {
    try {
      Path file = dataDir.resolve("server-id");
      return Files.exists(file) ? Files.readString(file).trim() : "(no server id yet)";
    } catch (IOException e) {
      return "(no server id yet)";
    }
  }

  /** Payara logs "ready in" once it has tried every deployment, failed or not. */
  private boolean bootFinished() {
    try {
      return Files.readString(log).contains(" ready in ");
    } catch (IOException e) {
      return false;
    }
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** GET or POST ({@code body} not null) {@code path}; returns the status and the body. */
  HttpResponse<String> call(String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(30));
    if (body != null) {
      b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  Path log() {
    return log;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
