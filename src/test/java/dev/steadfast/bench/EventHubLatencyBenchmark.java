package dev.steadfast.bench;

import dev.steadfast.workflow.InstanceEvent;
import dev.steadfast.workflow.InstanceEventStream;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.Databases;
import dev.steadfast.workflow.engine.EngineHarness;
import dev.steadfast.workflow.engine.TestWorkflows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's part of issue 9's "event → screen": a step's end (its journal timestamp) until
 * a subscriber of the instance's event stream has the {@code step_completed} event, no HTTP, no
 * browser. An instance of {@code bench.steps} steps of 20 ms each, on H2 in memory (or in a file,
 * as the server's, with {@code -Dbench.file=true}).
 *
 * <pre>
 * mvn -q -B test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.steadfast.bench.EventHubLatencyBenchmark [-Dbench.steps=100]
 * </pre>
 */
public final class EventHubLatencyBenchmark {
  private EventHubLatencyBenchmark() {}

  public static void main(String[] args) throws Exception {
    int steps = Integer.getInteger("bench.steps", 100);
    // -Dbench.file=true: an H2 file database as the server's (WRITE_DELAY=0), not in memory
    javax.sql.DataSource db = Boolean.getBoolean("bench.file")
        ? org.h2.jdbcx.JdbcConnectionPool.create("jdbc:h2:file:" + java.nio.file.Path.of("target",
            "bench-eventhub", java.util.UUID.randomUUID().toString()).toAbsolutePath()
            + ";WRITE_DELAY=0", "sa", "")
        : Databases.h2();
    try (EngineHarness h = new EngineHarness(db, EngineHarness.fastConfig("bench"))
        .register(TestWorkflows.LongWorkflow.class, TestWorkflows.LongWorkflow::new).start()) {
      for (String phase : List.of("warm-up", "measured")) {
        WorkflowInstance i = h.engine.client("long").create(
            new TestWorkflows.LongParams(20, phase.equals("warm-up") ? 30 : steps));
        InstanceEventStream s = i.subscribe(0, null);
        List<Double> lag = new ArrayList<>();
        while (true) {
          InstanceEvent e = s.next(Duration.ofSeconds(30));
          if (e == null) {
            break;
          }
          long got = System.currentTimeMillis();
          if (e.type().equals("step_completed")) {
            lag.add((double) (got - e.timestamp().toEpochMilli()));
          }
        }
        h.await(i, Status.COMPLETE);
        if (phase.equals("measured")) {
          List<Double> sorted = lag.stream().sorted().toList();
          System.out.printf("step end -> step_completed at a subscriber: p50 %.0f ms, p90 %.0f"
              + " ms, max %.0f ms (n=%d; the first events are history, read at subscribe)%n",
              pct(sorted, 50), pct(sorted, 90), sorted.get(sorted.size() - 1), sorted.size());
        }
      }
    }
  }

  private static double pct(List<Double> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
