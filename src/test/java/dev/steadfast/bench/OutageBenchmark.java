package dev.steadfast.bench;

import dev.steadfast.testing.RestartablePostgres;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowStep;
import dev.steadfast.workflow.engine.EngineConfig;
import dev.steadfast.workflow.engine.EngineEvent;
import dev.steadfast.workflow.engine.EngineHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fault figures (a program: it prints, it asserts nothing), on a real PostgreSQL:
 *
 * <ol>
 *   <li>outage: 300 eight-step instances on one engine (default 30 s lease, 2 s poll), PostgreSQL
 *       stopped for 10 s mid-run and started again; seconds from its return until the engine
 *       reports it reachable, until the first step runs, and until every instance that was
 *       running when it went away runs again (an attempt starts), and until all complete;
 *   <li>node loss: two engines (10 s lease, 2 s poll), 40 instances in long steps on the first,
 *       which dies (its threads stop, its claims stay); seconds until the survivor has resumed each
 *       of them.
 * </ol>
 *
 * <pre>
 * mvn -q -B test-compile exec:java -Dexec.mainClass=dev.steadfast.bench.OutageBenchmark \
 *     -Dexec.classpathScope=test
 * </pre>
 */
public final class OutageBenchmark {
  private OutageBenchmark() {}

  /** Eight steps of {@code payload} ms each. */
  @Workflow(name = "bench-eight")
  public static class Eight extends WorkflowEntrypoint<Long, Integer> {
    @Override
    public Integer run(WorkflowEvent<Long> event, WorkflowStep step) {
      int n = 0;
      for (int i = 0; i < 8; i++) {
        n += step.run("step " + i, () -> {
          Thread.sleep(event.payload());
          return 1;
        });
      }
      return n;
    }
  }

  public static void main(String[] args) throws Exception {
    System.out.println(outage());
    System.out.println(nodeLoss());
    System.exit(0);
  }

  private record Ev(EngineEvent.Type type, String id, long nanos) {}

  static String outage() throws Exception {
    try (RestartablePostgres pg = new RestartablePostgres(
        Path.of("target", "bench-outage-pg"))) {
      List<Ev> events = new CopyOnWriteArrayList<>();
      try (EngineHarness h = new EngineHarness(pg.dataSource(), EngineConfig.defaults("bench"))
          .register(Eight.class, Eight::new).start()) {
        h.engine.addListener(e -> events.add(new Ev(e.type(), e.instanceId(), System.nanoTime())));
        WorkflowClient<Long> c = h.engine.client("bench-eight");
        int n = 300;
        for (int i = 0; i < n; i++) {
          c.create("o-" + i, 50L);
        }
        while (events.stream().filter(e -> e.type() == EngineEvent.Type.STEP_SUCCESS).count()
            < n * 8 / 4) {
          Thread.sleep(5);
        }
        pg.stop();
        long down = System.nanoTime();
        Set<String> started = new HashSet<>();
        Set<String> done = new HashSet<>();
        for (Ev e : events) {
          if (e.type() == EngineEvent.Type.WORKFLOW_START) {
            started.add(e.id());
          } else if (e.type() == EngineEvent.Type.WORKFLOW_SUCCESS) {
            done.add(e.id());
          }
        }
        started.removeAll(done);
        Thread.sleep(10_000);
        pg.start();
        long back = System.nanoTime();
        while (!h.engine.health().isUp()) {
          Thread.sleep(1);
        }
        long up = System.nanoTime();
        long deadline = back + Duration.ofMinutes(3).toNanos();
        while (events.stream().filter(e -> e.type() == EngineEvent.Type.WORKFLOW_SUCCESS).count()
            < n && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        long firstStep = Long.MAX_VALUE;
        Map<String, Long> resumed = new HashMap<>();
        for (Ev e : events) {
          if (e.nanos() > back && e.type() == EngineEvent.Type.ATTEMPT_START) {
            firstStep = Math.min(firstStep, e.nanos());
            resumed.putIfAbsent(e.id(), e.nanos());
          } else if (e.nanos() > back && e.type() == EngineEvent.Type.WORKFLOW_SUCCESS) {
            // its last step was recorded, its end was not: it runs again by completing
            resumed.putIfAbsent(e.id(), e.nanos());
          }
        }
        long allRunning = started.stream().mapToLong(id -> resumed.getOrDefault(id, deadline))
            .max().orElse(back);
        long complete = events.stream().filter(e -> e.type() == EngineEvent.Type.WORKFLOW_SUCCESS)
            .mapToLong(Ev::nanos).max().orElse(deadline);
        return String.format("outage of %.1f s, %d instances (%d running when the database went"
            + " away), lease 30 s, poll 2 s:%n  from the database's return: reported reachable"
            + " %.2f s, first step %.2f s, every instance that was running runs again %.2f s,"
            + " all complete %.2f s", (back - down) / 1e9, n, started.size(), s(up - back),
            s(firstStep - back), s(allRunning - back), s(complete - back));
      }
    }
  }

  static String nodeLoss() throws Exception {
    try (RestartablePostgres pg = new RestartablePostgres(Path.of("target", "bench-nodeloss-pg"))) {
      Duration lease = Duration.ofSeconds(10);
      EngineConfig cfg = EngineConfig.defaults("a").withLease(lease);
      Map<String, Long> resumedOnB = new ConcurrentHashMap<>();
      try (EngineHarness a = new EngineHarness(pg.dataSource(), cfg)
          .register(Eight.class, Eight::new).start();
          EngineHarness b = new EngineHarness(pg.dataSource(),
              EngineConfig.defaults("b").withLease(lease)).register(Eight.class, Eight::new)) {
        WorkflowClient<Long> c = a.engine.client("bench-eight");
        int n = 40;
        for (int i = 0; i < n; i++) {
          c.create("n-" + i, 60_000L);
        }
        b.start();
        b.engine.addListener(e -> {
          if (e.type() == EngineEvent.Type.ATTEMPT_START) {
            resumedOnB.putIfAbsent(e.instanceId(), System.nanoTime());
          }
        });
        Thread.sleep(3_000); // a few renewals: the lease is fresh when a dies
        long dead = System.nanoTime();
        a.crash();
        long deadline = dead + Duration.ofMinutes(1).toNanos();
        while (resumedOnB.size() < n && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        long first = resumedOnB.values().stream().mapToLong(Long::longValue).min().orElse(deadline);
        long last = resumedOnB.values().stream().mapToLong(Long::longValue).max().orElse(deadline);
        b.engine.client("bench-eight"); // keep b referenced until here
        return String.format("node loss, %d instances on the dead node, lease %d s, poll 2 s"
            + " (renewed every %.1f s):%n  the survivor resumed the first %.2f s and the last"
            + " %.2f s after the death (%d of %d)", n, lease.toSeconds(),
            lease.toMillis() / 3 / 1e3, s(first - dead), s(last - dead), resumedOnB.size(), n);
      }
    }
  }

  private static double s(long nanos) {
    return nanos / 1e9;
  }
}
