package dev.steadfast.api;

import dev.steadfast.workflow.engine.WorkflowEngine.InstanceView;
import dev.steadfast.workflow.store.AttemptRecord;
import dev.steadfast.workflow.store.InstanceRecord;
import dev.steadfast.workflow.store.StepRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A program, not a test: the CPU cost of writing the JSON of instance details in the server
 * (the part {@code ApiBenchmark} showed to be nearly all of a 1,000-step details request),
 * without HTTP or the database. The journal looks like the demo {@code processing} instance's:
 * N steps with a small JSON output, one config, one attempt each. Prints the median and p90 time
 * per answer over many renders, and its size.
 *
 * <pre>
 * mvn -q -B exec:java -Dexec.mainClass=dev.steadfast.api.DetailsRenderBenchmark \
 *     -Dexec.classpathScope=test -Dexec.args="1000"
 * </pre>
 */
public final class DetailsRenderBenchmark {
  private DetailsRenderBenchmark() {}

  static InstanceView view(int steps) {
    long t = 1_796_000_000_000L;
    InstanceRecord r = new InstanceRecord("uid-1", "processing", "bench-1", "complete",
        "{\"items\":[\"alpha\",\"beta\",\"gamma\"]}", "{\"processed\":998,\"sample\":\"GAMMA\"}",
        null, null, "api", "v-1", t, t + steps, t, t + steps, null, null, null, 0, 0, null);
    List<StepRecord> journal = new ArrayList<>();
    Map<String, List<AttemptRecord>> attempts = new HashMap<>();
    String config = "{\"retries\":{\"limit\":5,\"delay\":10000,\"backoff\":\"exponential\"},"
        + "\"timeout\":600000}";
    for (int i = 0; i < steps; i++) {
      String key = "step:process item:" + (i + 1);
      journal.add(new StepRecord(key, i, "step", "process item", i + 1, "succeeded", config,
          "{\"item\":\"item-" + i + "\",\"upper\":\"ITEM-" + i + "\",\"length\":" + (5 + i % 4)
              + ",\"note\":\"processed in turn \\\"" + i + "\\\"\"}",
          null, null, null, 1, 0, t + i, t + i + 1, null, null, null));
      attempts.put(key, List.of(new AttemptRecord(1, t + i, t + i + 1, true, null, null)));
    }
    return new InstanceView(r, journal, attempts, null);
  }

  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    InstanceView v = view(steps);
    int size = render(v).length();
    for (int i = 0; i < 300; i++) { // warm-up: the server's JIT has long compiled this path
      render(v);
    }
    int n = 500;
    long[] ns = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      render(v);
      ns[i] = System.nanoTime() - t0;
    }
    Arrays.sort(ns);
    System.out.printf("details of a %d-step instance: %d characters; %.2f ms p50, %.2f ms p90"
        + " per answer (%d renders)%n", steps, size, ns[n / 2] / 1e6, ns[n * 9 / 10] / 1e6, n);
  }

  private static String render(InstanceView v) {
    return Wire.details(v);
  }
}
