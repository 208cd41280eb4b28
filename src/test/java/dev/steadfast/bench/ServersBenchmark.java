package dev.steadfast.bench;

import dev.steadfast.testing.ApiClient;
import dev.steadfast.testing.ServerKind;
import dev.steadfast.testing.ServerProcess;
import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * The same WAR on each server, side by side in one run (issue 11): time from launching the JVM to
 * ready, resident memory at idle, and the demo 'processing' workflow with 998 items (1,000 steps:
 * each item a durable step, plus two) per step, on the embedded H2 default, with the servers'
 * shipped JVM flags (-Xmx512m as the images set). Not a test: it prints.
 *
 * <pre>
 * mvn -B package -DskipTests -Dsteadfast.it.servers=all   # unpacks WildFly and Payara Server
 * mvn -q -B test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.steadfast.bench.ServersBenchmark \
 *   -Dsteadfast.wildfly.home=target/servers/wildfly-39.0.1.Final \
 *   -Dsteadfast.payara.home=target/servers/payara6 -Dpayara.microJar=target/payara-micro.jar \
 *   -Dsteadfast.war=target/steadfast.war -Dexec.args="micro wildfly payara-server"
 * </pre>
 *
 * Each server gets a fresh data directory, so Payara Server's figure is the first start of a new
 * domain (its launcher prepares domain.xml against a Payara bug that adds about 3.5 minutes to
 * it otherwise: docs/deploy.md); the second start of the same domain is printed too.
 */
public final class ServersBenchmark {
  private ServersBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<String> wanted = args.length == 0 ? List.of("micro", "wildfly", "payara-server")
        : List.of(args);
    List<String[]> rows = new ArrayList<>();
    for (ServerKind kind : ServerKind.values()) {
      if (!wanted.contains(kind.toString())) {
        continue;
      }
      if (!kind.isInstalled()) {
        rows.add(new String[] {kind.toString(), "not installed at " + kind.home(), "", "", ""});
        continue;
      }
      rows.add(measure(kind));
    }
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%-14s | %-22s | %-22s | %-14s | %s%n", "server",
        "start to ready", "second start", "RSS at idle", "1,000-step instance"));
    for (String[] r : rows) {
      out.append(String.format(Locale.ROOT, "%-14s | %-22s | %-22s | %-14s | %s%n",
          (Object[]) r));
    }
    out.append("load average at the end: ").append(EngineBenchmark.loadAverage()).append('\n');
    System.out.println();
    System.out.print(out);
    Path file = Path.of("target", "bench-servers.txt");
    Files.writeString(file, out.toString());
    System.out.println("written to " + file);
  }

  private static String[] measure(ServerKind kind) throws Exception {
    System.out.println("[servers] " + kind + ": starting");
    try (ServerProcess server = new ServerProcess(kind, ServerProcess.shippedWar(),
        ServerProcess.newDataDir("bench-" + kind))
        .env("STEADFAST_ACCOUNT_ID", "bench")
        .env("STEADFAST_EXAMPLES_ENABLED", "true")) {
      server.start();
      String first = server.startupTime().toMillis() + " ms";
      System.out.println("[servers] " + kind + ": ready in " + first);
      Thread.sleep(10_000); // idle: nothing runs, the start-up's garbage may be collected
      String rss = (rssKib(server.pid()) / 1024) + " MiB";
      System.out.println("[servers] " + kind + ": RSS at idle " + rss);
      ApiClient api = new ApiClient(server.apiBase() + "/accounts/bench", ServerProcess.TOKEN);
      StringJoiner items = new StringJoiner(",", "[", "]");
      for (int i = 0; i < 998; i++) {
        items.add("\"i" + i + "\"");
      }
      String perStep = "";
      for (int round = 0; round < 3; round++) { // the first warms the JIT; the last is reported
        String id = "big-" + round;
        ApiClient.Reply r = api.send("POST", "/workflows/processing/instances",
            "{\"instance_id\":\"" + id + "\",\"params\":{\"items\":" + items
                + ",\"millisPerItem\":0}}");
        if (r.status() != 200) {
          throw new IllegalStateException(kind + ": " + r);
        }
        JsonObject done = await(api, id);
        Duration d = Duration.between(Instant.parse(done.getString("start")),
            Instant.parse(done.getString("end")));
        int steps = done.getInt("step_count");
        perStep = String.format(Locale.ROOT, "%.3f ms per step (%d steps in %d ms)",
            d.toNanos() / 1e6 / steps, steps, d.toMillis());
        System.out.println("[servers] " + kind + " round " + round + ": " + perStep);
      }
      server.close();
      server.start();
      String second = server.startupTime().toMillis() + " ms";
      System.out.println("[servers] " + kind + ": second start ready in " + second);
      return new String[] {kind.toString(), first, second, rss, perStep};
    }
  }

  private static JsonObject await(ApiClient api, String id) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      JsonObject r = api.get("/workflows/processing/instances/" + id).json();
      JsonObject result = r.getJsonObject("result");
      String status = result.getString("status");
      if (status.equals("complete")) {
        return result;
      }
      if (status.equals("errored") || status.equals("terminated")) {
        throw new IllegalStateException(id + ": " + result);
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(id + " did not complete in 5 minutes");
  }

  private static long rssKib(long pid) throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
