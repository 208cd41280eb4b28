package dev.steadfast.workflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.InstanceStatus;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.store.AttemptRecord;
import dev.steadfast.workflow.store.StepRecord;
import dev.steadfast.workflow.store.WorkflowStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine under lifecycle faults (docs/lifecycle-faults.md): poison steps, values that do not
 * fit their columns, errors of the environment, duplicate server ids, shutdown with turns that do
 * not stop, servers starting together. Subclasses choose the database.
 */
abstract class LifecycleFaultsContract {
  protected DataSource db;
  private final List<EngineHarness> harnesses = new ArrayList<>();

  abstract DataSource newDatabase();

  @AfterEach
  void closeAll() {
    for (EngineHarness h : harnesses) {
      try {
        h.close();
      } catch (RuntimeException ignored) {
        // closed already
      }
    }
    if (db instanceof org.h2.jdbcx.JdbcConnectionPool p) {
      p.dispose();
    }
  }

  DataSource db() {
    if (db == null) {
      db = newDatabase();
    }
    return db;
  }

  EngineHarness harness(EngineConfig config) {
    EngineHarness h = new EngineHarness(db(), config)
        .register(FaultWorkflows.PoisonWorkflow.class, FaultWorkflows.PoisonWorkflow::new)
        .register(FaultWorkflows.LongErrorWorkflow.class, FaultWorkflows.LongErrorWorkflow::new)
        .register(FaultWorkflows.FailsOnceWorkflow.class, FaultWorkflows.FailsOnceWorkflow::new)
        .register(FaultWorkflows.OomOnceWorkflow.class, FaultWorkflows.OomOnceWorkflow::new)
        .register(FaultWorkflows.OomAlwaysWorkflow.class, FaultWorkflows.OomAlwaysWorkflow::new)
        .register(FaultWorkflows.LinkageWorkflow.class, FaultWorkflows.LinkageWorkflow::new)
        .register(FaultWorkflows.StubbornWorkflow.class, FaultWorkflows.StubbornWorkflow::new)
        .register(FaultWorkflows.PoliteWorkflow.class, FaultWorkflows.PoliteWorkflow::new);
    harnesses.add(h);
    return h;
  }

  EngineHarness start(String serverId) {
    return harness(EngineHarness.fastConfig(serverId)).start();
  }

  static String id() {
    return "f-" + UUID.randomUUID();
  }

  static void awaitTrue(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!condition.getAsBoolean()) {
      assertTrue(System.currentTimeMillis() < deadline, "timed out waiting until " + what);
      EngineHarness.sleep(10);
    }
  }

  // ------------------------------------------------------------------ poison steps

  @Test
  void aStepWhoseServerDiesUnderItTooOftenFailsAsAttemptsLost() {
    String id = id();
    EngineHarness h = harness(poisonConfig("poison-0")).start();
    h.engine.client("poison").create(id, null);
    for (int round = 1; round <= 2; round++) {
      int n = round;
      awaitTrue(() -> FaultWorkflows.ran(id, "hang") == n, "attempt " + n + " runs");
      EngineHarness.sleep(300); // long enough for the attempt's start to be recorded
      h.crash();
      // another server takes the instance over once the lease expires
      h = harness(poisonConfig("poison-" + round)).start();
    }
    WorkflowInstance i = h.engine.client("poison").get(id);
    InstanceStatus s = h.await(i, Status.COMPLETE, Duration.ofSeconds(20));
    assertEquals("caught AttemptsLost", s.output(String.class),
        "the step failed for good and run caught it as a StepFailedException");
    assertEquals(2, FaultWorkflows.ran(id, "hang"), "no third attempt ran");
    WorkflowEngine.InstanceView v = h.engine.view("poison", id);
    StepRecord step = v.steps().get(0);
    assertEquals("AttemptsLost", step.errorName());
    assertTrue(step.errorMessage().contains("lost 2 times"), step.errorMessage());
    List<AttemptRecord> attempts = v.attempts().get(step.key());
    assertEquals(2, attempts.size());
    assertTrue(attempts.stream().allMatch(a -> "AttemptLost".equals(a.errorName())), "" + attempts);
  }

  private static EngineConfig poisonConfig(String serverId) {
    return EngineHarness.fastConfig(serverId).withLease(Duration.ofSeconds(1))
        .withMaxLostAttempts(2);
  }

  // ------------------------------------------------------------------ values that do not fit

  @Test
  void anErrorNameLongerThanItsColumnIsCutAndTheInstanceFailsOnce() {
    EngineHarness h = start("long-error");
    String id = id();
    WorkflowInstance i = h.engine.client("long-error").create(id, 300);
    InstanceStatus s = h.await(i, Status.ERRORED, Duration.ofSeconds(20));
    assertEquals(256, s.error().name().length(), s.error().name());
    assertTrue(s.error().name().startsWith("EEEE") && s.error().name().endsWith("..."));
    assertEquals(16 * 1024, s.error().message().length());
    assertTrue(s.error().message().startsWith("x?ymmm"), "the NUL is replaced");
    StepRecord step = h.engine.view("long-error", id).steps().get(0);
    assertEquals(s.error().name(), step.errorName(), "the step row holds the same name");
    EngineHarness.sleep(500);
    assertEquals(1, FaultWorkflows.ran(id, "fail"), "the step ran once: no loop");
  }

  @Test
  void aWriteTheDatabaseCanNeverAcceptFailsTheInstanceInsteadOfLooping() throws Exception {
    EngineHarness h = start("narrow");
    // a deployment whose columns are narrower than the engine's writes: the step's failure
    // cannot be recorded, now or ever
    try (Connection c = db().getConnection(); Statement st = c.createStatement()) {
      for (String table : new String[] {"sf_step", "sf_attempt"}) {
        st.execute(c.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres")
            ? "ALTER TABLE " + table + " ALTER COLUMN error_message TYPE VARCHAR(20)"
            : "ALTER TABLE " + table + " ALTER COLUMN error_message SET DATA TYPE VARCHAR(20)");
      }
    }
    String id = id();
    WorkflowInstance i = h.engine.client("fails-once").create(id, null);
    InstanceStatus s = h.await(i, Status.ERRORED, Duration.ofSeconds(20));
    assertEquals("JournalWriteRejected", s.error().name());
    assertTrue(s.error().message().startsWith("the database refused to record"),
        s.error().message());
    EngineHarness.sleep(1_000);
    assertEquals(1, FaultWorkflows.ran(id, "flaky"), "the step did not run again and again");
  }

  // ------------------------------------------------------------------ environment errors

  @Test
  void anOutOfMemoryErrorInAStepIsALostAttemptNotTheStepsFailure() {
    EngineHarness h = start("oom");
    String id = id();
    WorkflowInstance i = h.engine.client("oom-once").create(id, null);
    InstanceStatus s = h.await(i, Status.COMPLETE, Duration.ofSeconds(20));
    assertEquals("attempt 2", s.output(String.class),
        "retries(0) and yet a second attempt: the first was lost, not failed");
    List<AttemptRecord> a = h.engine.view("oom-once", id).attempts().get("do:allocate-1");
    assertEquals(2, a.size());
    assertEquals("AttemptLost", a.get(0).errorName());
    assertEquals(true, a.get(1).success());
  }

  @Test
  void aStepThatAlwaysRunsOutOfMemoryEndsAsAttemptsLost() {
    EngineHarness h = harness(EngineHarness.fastConfig("oom-always").withMaxLostAttempts(2))
        .start();
    String id = id();
    WorkflowInstance i = h.engine.client("oom-always").create(id, null);
    InstanceStatus s = h.await(i, Status.ERRORED, Duration.ofSeconds(20));
    assertEquals("AttemptsLost", s.error().name());
    assertEquals(2, FaultWorkflows.ran(id, "allocate"));
  }

  @Test
  void aClassMissingInRunRetriesTheTurnInsteadOfErroringTheInstance() {
    EngineHarness h = start("linkage");
    String id = id();
    WorkflowInstance i = h.engine.client("linkage").create(id, null);
    // back-off 1 s then 2 s
    InstanceStatus s = h.await(i, Status.COMPLETE, Duration.ofSeconds(20));
    assertEquals("ab", s.output(String.class));
    assertEquals(3, FaultWorkflows.ran(id, "run"));
  }

  @Test
  void anErrorThrownByTheEngineAroundATurnRetriesTheTurn() {
    EngineHarness h = start("engine-error");
    String id = id();
    java.util.concurrent.atomic.AtomicInteger thrown = new java.util.concurrent.atomic.AtomicInteger();
    // an engine listener (the event stream, a metrics hook) whose class went missing in a
    // redeploy: it throws after the step was recorded, once
    h.engine.addListener(e -> {
      if (id.equals(e.instanceId()) && e.type() == EngineEvent.Type.STEP_SUCCESS
          && thrown.getAndIncrement() == 0) {
        throw new NoClassDefFoundError("com/example/GoneListener (simulated)");
      }
    });
    WorkflowInstance i = h.engine.client("polite").create(id, 1L);
    InstanceStatus s = h.await(i, Status.COMPLETE, Duration.ofSeconds(20));
    assertEquals("done", s.output(String.class));
    assertEquals(1, FaultWorkflows.STARTS.get(id).size(), "the recorded step did not run again");
  }

  // ------------------------------------------------------------------ duplicate server ids

  @Test
  void aSecondServerWithTheSameIdRefusesToStart() {
    EngineHarness first = start("twin");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> start("twin"));
    assertTrue(e.getMessage().contains("server id 'twin' is already used by a running server"),
        e.getMessage());
    // the first one is unharmed
    WorkflowInstance i = first.engine.client("polite").create(id(), 10L);
    first.await(i, Status.COMPLETE);

    first.close(); // a clean stop frees the id at once
    long t0 = System.currentTimeMillis();
    EngineHarness second = start("twin");
    assertTrue(System.currentTimeMillis() - t0 < ServerPresence.OBSERVE_MILLIS,
        "no wait after a clean stop");

    second.crash(); // a crash leaves the id held by a dead server: taken over after watching it
    t0 = System.currentTimeMillis();
    EngineHarness third = start("twin");
    assertTrue(System.currentTimeMillis() - t0 >= ServerPresence.OBSERVE_MILLIS - 300);
    WorkflowInstance j = third.engine.client("polite").create(id(), 10L);
    third.await(j, Status.COMPLETE);
  }

  // ------------------------------------------------------------------ shutdown

  @Test
  void aCleanStopReleasesOnlyTheClaimsOfTurnsThatStopped() throws Exception {
    EngineConfig config = EngineHarness.fastConfig("stopping").withLease(Duration.ofSeconds(6));
    EngineHarness a = harness(config).start();
    String stubborn = id();
    String polite = id();
    a.engine.client("stubborn").create(stubborn, 9_000L);
    a.engine.client("polite").create(polite, 60_000L);
    awaitTrue(() -> FaultWorkflows.STARTS.containsKey(stubborn)
        && FaultWorkflows.STARTS.containsKey(polite), "both steps run");
    EngineHarness.sleep(200);
    EngineHarness b = harness(EngineHarness.fastConfig("takes-over")); // built now: starts fast
    a.engine.stop(300);
    assertEquals(WorkflowStore.STOPPED_OWNER, owner(stubborn),
        "the turn that did not stop keeps its claim");
    assertNull(owner(polite), "the turn that stopped is released at once");
    long leaseEnd = leaseUntil(stubborn);

    b.start();
    awaitTrue(() -> FaultWorkflows.STARTS.get(polite).size() == 2, "polite runs on b");
    awaitTrue(() -> FaultWorkflows.STARTS.get(stubborn).size() == 2, "stubborn runs on b");
    long politeAgain = FaultWorkflows.STARTS.get(polite).get(1);
    long stubbornAgain = FaultWorkflows.STARTS.get(stubborn).get(1);
    assertTrue(politeAgain < leaseEnd - 1_000, "polite was taken over without waiting for a"
        + " lease: " + (leaseEnd - politeAgain) + " ms before it would end");
    assertTrue(stubbornAgain >= leaseEnd, "stubborn was taken over only after its lease, not "
        + (leaseEnd - stubbornAgain) + " ms before it ended");
    b.await(b.engine.client("stubborn").get(stubborn), Status.COMPLETE, Duration.ofSeconds(30));
  }

  private long leaseUntil(String instanceId) throws Exception {
    try (Connection c = db().getConnection();
        PreparedStatement p = c.prepareStatement(
            "SELECT lease_until FROM sf_instance WHERE instance_id = ?")) {
      p.setString(1, instanceId);
      try (ResultSet rs = p.executeQuery()) {
        assertTrue(rs.next());
        return rs.getLong(1);
      }
    }
  }

  private String owner(String instanceId) throws Exception {
    try (Connection c = db().getConnection();
        PreparedStatement p = c.prepareStatement(
            "SELECT owner FROM sf_instance WHERE instance_id = ?")) {
      p.setString(1, instanceId);
      try (ResultSet rs = p.executeQuery()) {
        assertTrue(rs.next());
        return rs.getString(1);
      }
    }
  }

  // ------------------------------------------------------------------ starting together

  @Test
  void serversStartingTogetherOnAnEmptyDatabaseAllStart() throws Exception {
    for (int round = 0; round < 3; round++) {
      db = null;
      DataSource fresh = db();
      int n = 4;
      CyclicBarrier barrier = new CyclicBarrier(n);
      ExecutorService pool = Executors.newFixedThreadPool(n);
      try {
        List<Future<EngineHarness>> started = new ArrayList<>();
        for (int k = 0; k < n; k++) {
          String serverId = "together-" + round + "-" + k;
          started.add(pool.submit(() -> {
            barrier.await();
            // migrations (in the harness's persistence unit) and registration at once
            EngineHarness h = new EngineHarness(fresh, EngineHarness.fastConfig(serverId))
                .register(FaultWorkflows.PoliteWorkflow.class, FaultWorkflows.PoliteWorkflow::new)
                .register(FaultWorkflows.StubbornWorkflow.class,
                    FaultWorkflows.StubbornWorkflow::new)
                .register(FaultWorkflows.PoisonWorkflow.class, FaultWorkflows.PoisonWorkflow::new);
            synchronized (harnesses) {
              harnesses.add(h);
            }
            return h.start();
          }));
        }
        for (Future<EngineHarness> f : started) {
          EngineHarness h = f.get();
          assertNotNull(h.engine);
          WorkflowInstance i = h.engine.client("polite").create(id(), 1L);
          h.await(i, Status.COMPLETE);
        }
        assertEquals(3, started.get(0).get().engine.workflows().size());
      } finally {
        pool.shutdownNow();
      }
      assertFalse(Thread.currentThread().isInterrupted());
    }
  }
}
