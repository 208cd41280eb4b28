package dev.steadfast.workflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.steadfast.workflow.BatchOptions;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.WorkflowStep;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * One server never runs two turns of one instance at once, however often it is asked to run the
 * instance (an event, a resume and a poll can all ask at the moment a turn starts). A second turn
 * would run the step again beside the first (the first one's writes are refused afterwards by the
 * claim epoch, but its side effects happened), and would count twice against a concurrency limit
 * (CI saw three instances of a workflow limited to two run at once).
 *
 * <p>A race, so a stress test: twelve threads ask the server, over and over, to run the instances
 * of a batch while they start, thirty batches of forty. Before the fix every run saw a step of an
 * instance run twice at once (one to four times); after it, none in several runs.
 */
class OneTurnAtATimeTest {
  /** Step bodies of an instance running now, and executions, by instance id. */
  static final Map<String, AtomicInteger> IN_STEP = new ConcurrentHashMap<>();
  static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();
  static final AtomicInteger OVERLAPS = new AtomicInteger();

  @Workflow(name = "single")
  public static class SingleWorkflow extends WorkflowEntrypoint<Integer, String> {
    @Override
    public String run(WorkflowEvent<Integer> event, WorkflowStep step) {
      String id = event.instanceId();
      return step.run("only", () -> {
        RUNS.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        if (IN_STEP.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() > 1) {
          OVERLAPS.incrementAndGet();
        }
        try {
          Thread.sleep(event.payload());
        } finally {
          IN_STEP.get(id).decrementAndGet();
        }
        return id;
      });
    }
  }

  @Test
  void kicksAndPollsDuringTurnStartsNeverStartASecondTurn() throws Exception {
    DataSource db = Databases.h2();
    EngineHarness server = new EngineHarness(db, EngineHarness.fastConfig("single-1"))
        .register(SingleWorkflow.class, SingleWorkflow::new)
        .start();
    AtomicBoolean kicking = new AtomicBoolean(true);
    List<Thread> kickers = new ArrayList<>();
    try {
      Dispatcher dispatcher = server.engine.dispatcher();
      AtomicReference<List<String>> starting = new AtomicReference<>(List.of());
      for (int k = 0; k < 12; k++) {
        Thread t = new Thread(() -> {
          int n = 0;
          while (kicking.get()) {
            for (String uid : starting.get()) {
              dispatcher.kick(uid);
            }
            if (++n % 16 == 0) {
              dispatcher.requestPoll();
            }
            Thread.onSpinWait();
          }
        }, "kicker-" + k);
        t.setDaemon(true);
        t.start();
        kickers.add(t);
      }
      WorkflowClient<Integer> client = server.engine.client("single");
      List<WorkflowInstance> all = new ArrayList<>();
      for (int round = 0; round < 30; round++) {
        // more than the server's 16 workers: most start through a claim, while kicked
        List<WorkflowInstance> batch = client.createBatch(BatchOptions.count(40, 5)).created();
        starting.set(uidsOf(db, batch));
        for (WorkflowInstance i : batch) {
          assertEquals(i.id(), server.await(i, Status.COMPLETE, Duration.ofSeconds(60))
              .output(String.class));
        }
        all.addAll(batch);
      }
      kicking.set(false);
      int twice = 0;
      for (WorkflowInstance i : all) {
        if (RUNS.get(i.id()).get() > 1) {
          twice++;
        }
      }
      assertEquals(0, OVERLAPS.get(), "a step of one instance ran twice at once");
      assertEquals(0, twice, "instances whose only step ran more than once");
    } finally {
      kicking.set(false);
      for (Thread t : kickers) {
        t.join(5_000);
      }
      server.close();
    }
  }

  private static List<String> uidsOf(DataSource db, List<WorkflowInstance> instances)
      throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      for (WorkflowInstance i : instances) {
        try (ResultSet rs = s.executeQuery("SELECT uid FROM sf_instance WHERE instance_id = '"
            + i.id() + "'")) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
    }
    return out;
  }
}
