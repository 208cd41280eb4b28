package dev.steadfast.bench;

import dev.steadfast.testing.ApiClient;
import dev.steadfast.testing.ApiClient.Reply;
import dev.steadfast.testing.ServerProcess;
import jakarta.json.JsonObject;
import java.util.Arrays;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Prints REST API figures: instance-create rate (sequential, one client) and the latency of
 * instance details for an instance with 1,000 steps (the engine reads steps and attempts with one
 * query each, not one per step). A program, not a test: figures depend on the machine.
 *
 * <p>Run after {@code mvn package}: {@code java -cp target/test-classes:<test classpath>
 * dev.steadfast.bench.ApiBenchmark [creates]}. It starts its own server (ServerProcess) unless
 * {@code -Dbench.url} and {@code -Dbench.token} name a running one.
 */
public final class ApiBenchmark {
  private ApiBenchmark() {}

  public static void main(String[] args) throws Exception {
    int creates = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    // -Dbench.url=http://127.0.0.1:8181/client/v4 -Dbench.token=T measures a running server
    String url = System.getProperty("bench.url");
    try (ServerProcess server = url == null ? ServerProcess.start("bench", Map.of()) : null) {
      String base = url != null ? url : server.apiBase();
      String token = url != null ? System.getProperty("bench.token") : ServerProcess.TOKEN;
      ApiClient api = new ApiClient(base + "/accounts/bench", token);
      // warm-up: JIT, connection pool, JAX-RS routing caches
      for (int i = 0; i < 50; i++) {
        check(api.send("POST", "/workflows/approval/instances", "{\"params\":{\"title\":\"w\"}}"));
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < creates; i++) {
        check(api.send("POST", "/workflows/approval/instances",
            "{\"instance_id\":\"bench-" + i + "\",\"params\":{\"title\":\"t" + i + "\"}}"));
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf("create instance: %d in %.2f s = %.0f instances/s (sequential, one client)%n",
          creates, secs, creates / secs);
      // the HTTP round trip alone, for comparison: a status read, sequential
      long g0 = System.nanoTime();
      for (int i = 0; i < creates; i++) {
        check(api.get("/workflows/approval/instances/bench-" + i));
      }
      double gsecs = (System.nanoTime() - g0) / 1e9;
      System.out.printf("read instance: %d in %.2f s = %.2f ms each (sequential, one client)%n",
          creates, gsecs, gsecs * 1000 / creates);

      StringJoiner items = new StringJoiner(",", "[", "]");
      for (int i = 0; i < 998; i++) {
        items.add("\"i" + i + "\"");
      }
      check(api.send("POST", "/workflows/processing/instances", "{\"instance_id\":\"big\","
          + "\"params\":{\"items\":" + items + ",\"millisPerItem\":0}}"));
      long r0 = System.nanoTime();
      String status = "";
      while (!status.equals("complete")) {
        if (status.equals("errored") || System.nanoTime() - r0 > 600e9) {
          throw new IllegalStateException("1,000-step instance ended as " + status);
        }
        Thread.sleep(500);
        status = api.get("/workflows/processing/instances/big").json().getJsonObject("result")
            .getString("status");
      }
      JsonObject ran = api.get("/workflows/processing/instances/big").json()
          .getJsonObject("result");
      long runMs = java.time.Duration.between(java.time.Instant.parse(ran.getString("start")),
          java.time.Instant.parse(ran.getString("end"))).toMillis();
      int ranSteps = ran.getJsonArray("steps").size();
      System.out.printf("%d-step instance (demo 'processing', 998 items) in the server: %d ms"
          + " from start to end as recorded = %.3f ms per step%n", ranSteps, runMs,
          (double) runMs / ranSteps);

      Reply details = api.get("/workflows/processing/instances/big");
      int steps = details.json().getJsonObject("result").getInt("step_count");
      for (int i = 0; i < 20; i++) {
        api.get("/workflows/processing/instances/big");
      }
      int n = 100;
      long[] ms = new long[n];
      for (int i = 0; i < n; i++) {
        long s = System.nanoTime();
        check(api.get("/workflows/processing/instances/big"));
        ms[i] = System.nanoTime() - s;
      }
      Arrays.sort(ms);
      System.out.printf("instance details, %d steps, %d KiB: p50 %.1f ms, p95 %.1f ms, max %.1f ms"
          + " (target < 50 ms)%n", steps, details.text().length() / 1024, ms[n / 2] / 1e6,
          ms[n * 95 / 100] / 1e6, ms[n - 1] / 1e6);
    }
  }

  private static void check(Reply r) {
    if (r.status() != 200) {
      throw new IllegalStateException(r.toString());
    }
  }
}
