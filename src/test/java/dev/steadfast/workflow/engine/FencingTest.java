package dev.steadfast.workflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.StepContext;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.WorkflowStep;
import dev.steadfast.workflow.store.AttemptRecord;
import dev.steadfast.workflow.store.StepRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two servers on one PostgreSQL with a 1 s lease, the first one's heartbeat stalled (as in a long
 * GC pause or a starved thread): the second takes the instance over, and the first one's late
 * writes are refused by the claim epoch, so no completed step runs again and no recorded result
 * is overwritten.
 */
class FencingTest {
  static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();
  /** Instances whose first "slow" attempt has ended. */
  static final java.util.Set<String> FIRST_ENDED = ConcurrentHashMap.newKeySet();

  static int ran(String id, String step) {
    AtomicInteger n = RUNS.get(id + "/" + step);
    return n == null ? 0 : n.get();
  }

  static void count(String id, String step) {
    RUNS.computeIfAbsent(id + "/" + step, k -> new AtomicInteger()).incrementAndGet();
  }

  /** Step "slow" takes {@code payload} ms in its first attempt, no time in later ones. */
  @Workflow(name = "fenced")
  public static class FencedWorkflow extends WorkflowEntrypoint<Long, String> {
    @Override
    public String run(WorkflowEvent<Long> event, WorkflowStep step) {
      String id = event.instanceId();
      String a = step.run("a", () -> {
        count(id, "a");
        return "a";
      });
      String slow = step.run("slow", () -> {
        count(id, "slow");
        int attempt = StepContext.current().attempt();
        if (attempt == 1) {
          try {
            Thread.sleep(event.payload());
          } finally {
            FIRST_ENDED.add(id);
          }
        }
        return "attempt-" + attempt;
      });
      String c = step.run("c", () -> {
        count(id, "c");
        return "c";
      });
      return a + "/" + slow + "/" + c;
    }
  }

  private final CountDownLatch unstall = new CountDownLatch(1);
  private EngineHarness a;
  private EngineHarness b;

  @AfterEach
  void stop() {
    unstall.countDown();
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  private EngineHarness server(DataSource db, String id) {
    return new EngineHarness(db, EngineHarness.fastConfig(id).withLease(Duration.ofSeconds(1)))
        .register(FencedWorkflow.class, FencedWorkflow::new);
  }

  @Test
  void aServerWhoseLeaseLapsedCannotOverwriteTheNewOwnersResults() throws Exception {
    DataSource db = Databases.postgres();
    a = server(db, "server-a").start();
    b = server(db, "server-b").start();
    a.engine.setTestHooks(new TestHooks() {
      @Override
      public void beforeLeaseRenewal(String serverId) throws InterruptedException {
        unstall.await(); // server-a's heartbeat never renews while the test runs
      }
    });
    String id = "f-" + UUID.randomUUID();
    WorkflowInstance onA = a.engine.<Long>client("fenced").create(id, 8_000L);
    // server-a runs "a", then "slow" for 8 s; its lease (1 s) runs out meanwhile, and server-b
    // (polling every 200 ms) takes the instance over
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (ran(id, "slow") == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(1, ran(id, "slow"), "server-a started the slow step");
    WorkflowInstance onB = b.engine.<Long>client("fenced").get(id);
    assertEquals("a/attempt-2/c", b.await(onB, Status.COMPLETE, Duration.ofSeconds(20))
        .output(String.class), "server-b took the instance over and finished it");
    // server-a's slow attempt ends after 8 s: give it time to try to write, and to go on
    while (!FIRST_ENDED.contains(id)) {
      Thread.sleep(10);
    }
    Thread.sleep(1_500);

    assertEquals(Status.COMPLETE, onA.status().status());
    assertEquals("a/attempt-2/c", onA.status().output(String.class));
    assertEquals(1, ran(id, "a"), "a completed step never runs again");
    assertEquals(2, ran(id, "slow"), "only the attempt in flight at the takeover ran again");
    assertEquals(1, ran(id, "c"), "server-a ran no step after its claim was taken over");
    WorkflowEngine.InstanceView v = b.engine.view("fenced", id);
    StepRecord slow = v.steps().stream().filter(s -> s.key().equals("do:slow-1")).findFirst()
        .orElseThrow();
    assertEquals("\"attempt-2\"", slow.result(), "the new owner's result was not overwritten");
    List<AttemptRecord> attempts = v.attempts().get("do:slow-1");
    assertEquals(2, attempts.size(), attempts.toString());
    assertEquals("AttemptLost", attempts.get(0).errorName(),
        "the taken-over attempt stays recorded as lost, not as server-a's late success");
    assertEquals(Boolean.FALSE, attempts.get(0).success());
    assertEquals(Boolean.TRUE, attempts.get(1).success());
    assertTrue(v.steps().stream().allMatch(s -> "succeeded".equals(s.state())), v.steps()
        .toString());
  }
}
