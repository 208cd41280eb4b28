package dev.steadfast.workflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.testing.RestartablePostgres;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.WorkflowStep;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stopped for 10 s under load, the engine left running: the outage costs a pause, not
 * a lease. Every instance completes, no completed step runs again, the engine's health says DOWN
 * during the outage and UP after it, and the log says so in a line or two instead of a stack trace
 * per failed write.
 */
class PostgresOutageTest {
  static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

  /** Eight steps of {@code payload} ms each. */
  @Workflow(name = "eight-steps")
  public static class EightSteps extends WorkflowEntrypoint<Long, Integer> {
    @Override
    public Integer run(WorkflowEvent<Long> event, WorkflowStep step) {
      int n = 0;
      for (int i = 0; i < 8; i++) {
        String key = event.instanceId() + "/" + i;
        n += step.run("step " + i, () -> {
          RUNS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
          Thread.sleep(event.payload());
          return 1;
        });
      }
      return n;
    }
  }

  @Test
  void aTenSecondOutageCostsAPauseNotALease() throws Exception {
    Path dir = Path.of("target", "outage-pg-" + System.nanoTime());
    List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
          warnings.add(r);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger ours = Logger.getLogger("dev.steadfast");
    try (RestartablePostgres pg = new RestartablePostgres(dir)) {
      // a lease of 2 minutes (and the default 2 s poll interval): instances that wait for their
      // lease to run out cannot complete within the minute the test gives them
      EngineConfig config = EngineConfig.defaults("outage-server").withWorkers(32)
          .withLease(Duration.ofMinutes(2));
      try (EngineHarness h = new EngineHarness(pg.dataSource(), config)
          .register(EightSteps.class, EightSteps::new).start()) {
        WorkflowClient<Long> client = h.engine.client("eight-steps");
        List<WorkflowInstance> all = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
          all.add(client.create("o-" + i + "-" + System.nanoTime(), 100L));
        }
        while (RUNS.values().stream().mapToInt(AtomicInteger::get).sum() < 200) {
          Thread.sleep(10);
        }
        AtomicBoolean sawDown = new AtomicBoolean();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
          while (watching.get()) {
            if (!h.engine.health().isUp()) {
              sawDown.set(true);
            }
            EngineHarness.sleep(20);
          }
        });
        watcher.start();
        ours.addHandler(capture);
        pg.stop();
        Thread.sleep(10_000);
        assertFalse(h.engine.health().isUp(), "the engine reports the database down");
        pg.start();
        long back = System.nanoTime();
        for (WorkflowInstance i : all) {
          long left = Duration.ofSeconds(60).toNanos() - (System.nanoTime() - back);
          assertEquals(8, h.await(i, Status.COMPLETE, Duration.ofNanos(Math.max(1, left)))
              .output(Integer.class), i.id());
        }
        double seconds = (System.nanoTime() - back) / 1e9;
        watching.set(false);
        watcher.join();
        ours.removeHandler(capture);
        assertTrue(sawDown.get(), "health was DOWN during the outage");
        assertTrue(h.engine.health().isUp(), "health is UP again");
        int rerun = 0;
        for (WorkflowInstance i : all) {
          int twice = 0;
          for (int s = 0; s < 8; s++) {
            int n = RUNS.get(i.id() + "/" + s).get();
            assertTrue(n <= 2, i.id() + " step " + s + " ran " + n + " times");
            twice += n - 1;
          }
          assertTrue(twice <= 1, i.id() + ": only the step in flight at the outage runs again");
          rerun += twice;
        }
        System.out.printf("outage: all 150 instances complete %.1f s after the database's"
            + " return; %d steps in flight ran again; %d warnings logged%n", seconds, rerun,
            warnings.size());
        assertTrue(warnings.size() <= 4, "the outage is a line or two in the log, not one per"
            + " failed write: " + warnings.stream().map(LogRecord::getMessage).toList());
      }
    } finally {
      ours.removeHandler(capture);
    }
  }
}
