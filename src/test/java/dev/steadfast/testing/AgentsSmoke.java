package dev.steadfast.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * src/test/e2e/agents/smoke.mjs, the unmodified {@code agents} client's cross-section (node's test
 * runner): connect, call, state on a second client, a schedule firing ({@code before}); the state
 * still there ({@code after}). Its output goes to a log file and, at the end, to standard output.
 */
public final class AgentsSmoke {
  /** Where the script and its node_modules live ({@link Npm#install} there first). */
  public static final Path DIR =
      Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("src/test/e2e/agents");

  private AgentsSmoke() {}

  /**
   * Runs one phase against {@code host} (host:port) with the demo agents' {@code token}; the
   * script's exit code, -1 when it did not end within two minutes. {@code debug}: the client's
   * connection log (PartySocket's) in the output.
   */
  public static int run(Path log, String host, String token, String phase, String name,
      String nonce, boolean debug) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("node", "--test", "--test-reporter=spec", "smoke.mjs")
        .directory(DIR.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(Map.of("STEADFAST_HOST", host, "STEADFAST_TOKEN", token,
        "E2E_PHASE", phase, "E2E_NAME", name, "E2E_NONCE", nonce,
        "E2E_DEBUG", debug ? "1" : "0"));
    Process p = pb.start();
    boolean done = p.waitFor(120, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    System.out.println(Files.readString(log));
    return done ? p.exitValue() : -1;
  }
}
