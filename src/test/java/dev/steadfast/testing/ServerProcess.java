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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Payara Micro running the built WAR, as a child process: the integration tests talk to
 * it over HTTP exactly as clients do. One per test class (it takes ~15 s to start), on a free port
 * in 8182-8189, with its own data directory under target/, killed by {@link #close()}.
 *
 * <p>Finds the jars through the system properties {@code payara.microJar} and {@code
 * steadfast.war} (set by failsafe), else under {@code target/}.
 */
public final class ServerProcess implements AutoCloseable {
  public static final String TOKEN = "it-token-1";

  private final Process process;
  private final int port;
  private final Path dataDir;
  private final Path log;

  private ServerProcess(Process process, int port, Path dataDir, Path log) {
    this.process = process;
    this.port = port;
    this.dataDir = dataDir;
    this.log = log;
  }

  /** Starts a server accepting {@link #TOKEN}; {@code env} adds or overrides variables. */
  public static ServerProcess start(String name, Map<String, String> env) {
    Path target = Path.of(System.getProperty("steadfast.target", "target")).toAbsolutePath();
    Path jar = Path.of(System.getProperty("payara.microJar", target.resolve("payara-micro.jar").toString()));
    Path war = Path.of(System.getProperty("steadfast.war", target.resolve("steadfast.war").toString()));
    if (!Files.exists(jar) || !Files.exists(war)) {
      throw new IllegalStateException("build first (mvn package): missing " + jar + " or " + war);
    }
    int port = freePort();
    Path base = target.resolve("it-servers").resolve(name + "-" + System.currentTimeMillis());
    Path data = base.resolve("data");
    Path root = base.resolve("root");
    Path log = base.resolve("server.log");
    try {
      Files.createDirectories(data);
      List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx512m",
          "-Djava.io.tmpdir=" + base, "-jar", jar.toString(), "--deploy", war.toString(),
          "--contextroot", "/", "--port", String.valueOf(port), "--nocluster",
          "--rootdir", root.toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      Map<String, String> e = pb.environment();
      e.put("STEADFAST_DATA_DIR", data.toString());
      e.put("STEADFAST_API_TOKENS", TOKEN);
      e.putAll(env);
      ServerProcess s = new ServerProcess(pb.start(), port, data, log);
      s.awaitReady(Duration.ofSeconds(180));
      return s;
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  public static ServerProcess start(String name) {
    return start(name, new HashMap<>());
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The first port of 8182-8189 nobody listens on (8181 is left for manual runs). */
  private static int freePort() {
    for (int p = 8182; p <= 8189; p++) {
      try (ServerSocket s = new ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
        return p;
      } catch (IOException busy) {
        // try the next one
      }
    }
    throw new IllegalStateException("no free port in 8182-8189");
  }

  private void awaitReady(Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("server exited with " + process.exitValue() + "; see " + log);
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create(url("/health/ready"))).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        break;
      }
      sleep(500);
    }
    close();
    throw new IllegalStateException("server not ready within " + timeout + "; see " + log);
  }

  public int port() {
    return port;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** The base URL Cloudflare clients are given (CLOUDFLARE_API_BASE_URL). */
  public String apiBase() {
    return url("/client/v4");
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path log() {
    return log;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
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
