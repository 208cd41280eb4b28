package dev.steadfast.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.Agents;
import dev.steadfast.agent.RunWorkflowOptions;
import dev.steadfast.agent.TrackedWorkflow;
import dev.steadfast.agent.WorkflowPage;
import dev.steadfast.agent.WorkflowQuery;
import dev.steadfast.agent.runtime.WorkflowAgents.Boss;
import dev.steadfast.agent.runtime.WorkflowAgents.BossState;
import dev.steadfast.agent.runtime.WorkflowAgents.Job;
import dev.steadfast.agent.store.AgentPersistence;
import dev.steadfast.workflow.RestartFrom;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.engine.Databases;
import dev.steadfast.workflow.engine.EngineHarness;
import dev.steadfast.workflow.store.JournalWriter.Stmt;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Agents that run workflows, on H2 (and PostgreSQL in the subclass): every method, callback. */
class AgentWorkflowTest {
  DataSource newDatabase() {
    return Databases.h2();
  }

  DataSource db;
  EngineHarness engine;
  AgentRuntime agents;
  EntityManagerFactory emf;
  ScheduledExecutorService scheduler;
  ExecutorService workers;

  @BeforeEach
  void setUp() {
    WorkflowAgents.reset();
    db = newDatabase();
    engine = new EngineHarness(db, EngineHarness.fastConfig("s1"))
        .register(WorkflowAgents.JobWorkflow.class, WorkflowAgents.JobWorkflow::new)
        .register(WorkflowAgents.EchoWorkflow.class, WorkflowAgents.EchoWorkflow::new)
        .register(WorkflowAgents.GreedyWorkflow.class, WorkflowAgents.GreedyWorkflow::new)
        .start();
    emf = AgentPersistence.create(db);
    scheduler = Executors.newScheduledThreadPool(2);
    workers = Executors.newCachedThreadPool();
    agents = newRuntime();
    agents.start(0, 0);
  }

  /** An agent runtime on this test's database and engine (attached, not started). */
  AgentRuntime newRuntime() {
    List<Class<? extends Agent<?>>> classes = List.of(Boss.class);
    AgentRuntime agents = TestRuntimes.create(emf, classes, scheduler, workers,
        Clock.systemUTC(), new Retry(3, 10, 50));
    agents.attachWorkflows(engine.engine);
    return agents;
  }

  @AfterEach
  void tearDown() {
    WorkflowTracking.faultAfterInstance = null;
    WorkflowTracking.faultInReport = null;
    agents.stop();
    engine.close();
    scheduler.shutdownNow();
    workers.shutdownNow();
    emf.close();
    if (db instanceof AutoCloseable pool) {
      try {
        pool.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  Boss boss(String name) {
    return (Boss) (Agent<?>) agents.instance("boss", name).agent();
  }

  /** Runs agent code inside the instance, as an RPC would. */
  <T> T in(String name, java.util.function.Function<Boss, T> f) {
    return Agents.get(Boss.class, name).call(f);
  }

  static void waitFor(BooleanSupplier cond, String what) {
    long end = System.currentTimeMillis() + 20_000;
    while (!cond.getAsBoolean()) {
      if (System.currentTimeMillis() > end) {
        throw new AssertionError("timed out waiting for " + what + "; callbacks "
            + WorkflowAgents.CALLBACKS);
      }
      EngineHarness.sleep(10);
    }
  }

  TrackedWorkflow awaitStatus(String agent, String id, String status) {
    waitFor(() -> {
      TrackedWorkflow w = in(agent, b -> b.getWorkflow(id));
      return w != null && w.status().equals(status);
    }, id + " " + status);
    return in(agent, b -> b.getWorkflow(id));
  }

  long rows(String sql) {
    try (Connection c = db.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ start and complete

  @Test
  void runWorkflowKeepsTheInstanceAsLongAsItsRetentionOptionSays() {
    String id = in("a", b -> b.runWorkflow("JOB_WORKFLOW", Job.plain("kept"),
        RunWorkflowOptions.withId("kept-1").withRetention(
            dev.steadfast.workflow.Retention.success("1 day").error("30 days"))));
    awaitStatus("a", id, "complete");
    // the instance's own retention, and the deletion time the sweep uses: its end plus a day
    assertEquals(86_400_000L, rows("SELECT retain_success FROM sf_instance WHERE instance_id = '"
        + id + "'"));
    assertEquals(30 * 86_400_000L, rows("SELECT retain_error FROM sf_instance WHERE instance_id"
        + " = '" + id + "'"));
    assertEquals(86_400_000L, rows("SELECT purge_at - ended_at FROM sf_instance WHERE"
        + " instance_id = '" + id + "'"));
  }

  @Test
  void runWorkflowTracksReportsAndCompletesOnce() {
    String id = in("a", b -> b.runWorkflow("JOB_WORKFLOW", Job.plain("x"),
        new RunWorkflowOptions(null, Map.of("user", "ada"), null)));
    assertTrue(id.startsWith("wf_"), id);
    TrackedWorkflow w = awaitStatus("a", id, "complete");
    assertEquals("JOB_WORKFLOW", w.workflowName());
    assertEquals(Map.of("user", "ada"), w.metadata());
    assertNotNull(w.completedAt());
    assertNull(w.errorName());
    BossState s = boss("a").state();
    assertEquals(1, s.completions, "exactly one completion callback");
    assertEquals("worked x", s.phase, "mergeAgentState applied");
    assertTrue(s.results.contains("saved done:x"), "agent() call ran inside the agent: " + s.results);
    assertEquals(1, WorkflowAgents.count("a PROGRESS " + id));
    assertEquals(1, WorkflowAgents.count("a COMPLETE " + id + " done:x"));
    assertEquals(0, WorkflowAgents.count("a ERROR"));
    assertEquals(Status.COMPLETE, in("a", b -> b.getWorkflowStatus(id)).status());
  }

  @Test
  void reservedKeysNeverReachRun() {
    String id = in("a", b -> b.runWorkflow("echo", Map.of("k", "v")));
    awaitStatus("a", id, "complete");
    assertEquals(List.of(Map.of("k", "v")), WorkflowAgents.SEEN);
    assertThrows(IllegalArgumentException.class,
        () -> in("a", b -> b.runWorkflow("echo", Map.of("__agentName", "forged"))));
    assertThrows(IllegalArgumentException.class, () -> in("a", b -> b.runWorkflow("echo", "text")));
  }

  @Test
  void aRunReturningWithoutReportCompleteReportsItsResultOnce() {
    String id = in("a", b -> b.runWorkflow("job", new Job("r", false, true, false, false, false)));
    awaitStatus("a", id, "complete");
    assertEquals(1, WorkflowAgents.count("a COMPLETE " + id + " done:r"), WorkflowAgents.CALLBACKS.toString());
    assertEquals(1, boss("a").state().completions);
  }

  @Test
  void anExceptionEscapingRunReportsOneErrorAndFailsTheInstance() {
    String id = in("a", b -> b.runWorkflow("job", new Job("f", false, true, true, false, true)));
    TrackedWorkflow w = awaitStatus("a", id, "errored");
    assertEquals("WorkflowError", w.errorName());
    assertEquals("boom f", w.errorMessage());
    assertEquals(1, WorkflowAgents.count("a ERROR " + id + " boom f"));
    assertEquals(0, WorkflowAgents.count("a COMPLETE"));
    assertEquals(Status.ERRORED, in("a", b -> b.getWorkflowStatus(id)).status());
  }

  @Test
  void anErrorTheEngineEndsTheRunWithReachesTheAgentOnce() {
    // the step limit ends the run with an Error: no report of the run's own is made
    String id = in("a", b -> b.runWorkflow("greedy", Map.of()));
    TrackedWorkflow w = awaitStatus("a", id, "errored");
    waitFor(() -> WorkflowAgents.count("a ERROR " + id) > 0, "the error callback");
    assertEquals("StepLimitExceeded", w.errorName());
    EngineHarness.sleep(200);
    assertEquals(1, WorkflowAgents.count("a ERROR " + id), WorkflowAgents.CALLBACKS.toString());
    assertTrue(WorkflowAgents.CALLBACKS.stream().anyMatch(c -> c.startsWith("a ERROR " + id)
        && c.contains("more than 4")), WorkflowAgents.CALLBACKS.toString());
    assertEquals(0, agents.sweepUnreportedErrors(), "nothing left to tell");
    assertEquals(1, WorkflowAgents.count("a ERROR " + id));
  }

  @Test
  void anErrorNoAgentRuntimeHeardIsDeliveredWhenOneStarts() {
    // the run waits; the runtime stops hearing the engine (its server crashes as the instance
    // fails, before it could tell the agent)
    String id = in("a", b -> b.runWorkflow("greedy", Map.of("wait", true)));
    awaitStatus("a", id, "waiting");
    agents.detachFromEngine();
    engine.engine.client("greedy").get(id).sendEvent("go", Map.of());
    engine.await(engine.engine.client("greedy").get(id), Status.ERRORED);
    EngineHarness.sleep(200);
    assertEquals(0, WorkflowAgents.count("a ERROR"), "no runtime was there to hear it");
    // a new runtime on the same database tells the agent when it starts, once
    agents.stop();
    agents = newRuntime();
    agents.start(0, 0);
    waitFor(() -> WorkflowAgents.count("a ERROR " + id) > 0, "the error told at start");
    assertEquals(0, agents.sweepUnreportedErrors());
    assertEquals(1, WorkflowAgents.count("a ERROR " + id), WorkflowAgents.CALLBACKS.toString());
    TrackedWorkflow w = in("a", b -> b.getWorkflow(id));
    assertEquals("errored", w.status());
    assertEquals("StepLimitExceeded", w.errorName());
  }

  // ------------------------------------------------------------------ exactly once

  @Test
  void durableHelpersRunOnceAcrossReplays() {
    // the sleep ends the turn; the next turn replays run from the top past every helper
    String id = in("a", b -> b.runWorkflow("job", new Job("e", false, true, false, true, true)));
    awaitStatus("a", id, "complete");
    assertEquals(1, WorkflowAgents.WORK_RUNS.get());
    BossState s = boss("a").state();
    assertEquals(1, s.events, "the event callback's state change happened once");
    assertEquals(1, s.completions);
    assertEquals(1, WorkflowAgents.count("a EVENT " + id));
    // progress is not durable: the replay after the sleep reported it again
    assertEquals(2, WorkflowAgents.count("a PROGRESS " + id));
    // the stored state equals the state in memory
    assertTrue(agents.store().find("boss", "a").state.contains("\"events\":1"));
  }

  @Test
  void aStateChangeIsCommittedWithItsStepOrNotAtAll() {
    // a step row that cannot be written makes the joined state write fail with it
    String id = in("a", b -> b.runWorkflow("job", Job.plain("p")));
    awaitStatus("a", id, "complete");
    long steps = rows("SELECT COUNT(*) FROM sf_step WHERE name = '__agent_state'");
    assertEquals(1, steps);
    assertEquals("worked p", boss("a").state().phase);
  }

  @Test
  void aCallbackWhoseStepDoesNotCommitLeavesNoStateChangeAndRunsAgain() {
    // the completion step's transaction fails: the callback ran, its state change must not stay
    WorkflowTracking.faultInReport = new Stmt("UPDATE sf_fault_injected SET x = 1");
    String id = in("k", b -> b.runWorkflow("job", new Job("k", false, false, false, false, true)));
    waitFor(() -> WorkflowAgents.count("k COMPLETE " + id) >= 1, "the callback ran");
    EngineHarness.sleep(200);
    assertEquals(0, boss("k").state().completions, "rolled back in memory");
    assertTrue(agents.store().find("boss", "k").state.contains("\"completions\":0"),
        "nothing in the database");
    assertEquals("running", in("k", b -> b.getWorkflow(id)).status());
    WorkflowTracking.faultInReport = null;
    // the turn was abandoned; the instance is taken up again once its lease ends
    awaitStatus("k", id, "complete");
    assertEquals(1, boss("k").state().completions, "the state change happened once");
    assertTrue(WorkflowAgents.count("k COMPLETE " + id) >= 2,
        "the callback method itself ran again (at least once)");
    assertTrue(agents.store().find("boss", "k").state.contains("\"completions\":1"));
  }

  @Test
  void aStateChangeOfAStepWhoseClaimWasTakenOverIsNotWritten() {
    // while the completion callback runs, server-b takes the instance over (its lease lapsed):
    // the step's own rows are refused, and so must be the agent state the step changed
    String id = "fenced-1";
    WorkflowAgents.IN_NEXT_COMPLETION.set(() -> sql("UPDATE sf_instance SET owner = 'server-b',"
        + " epoch = epoch + 1, lease_until = 9000000000000 WHERE instance_id = '" + id + "'"));
    in("f", b -> b.runWorkflow("job", Job.plain("f"), RunWorkflowOptions.withId(id)));
    waitFor(() -> WorkflowAgents.count("f COMPLETE " + id) >= 1, "the completion callback ran");
    EngineHarness.sleep(1_000); // the refused journal write commits what it does in this time
    assertTrue(agents.store().find("boss", "f").state.contains("\"completions\":0"),
        "nothing of the refused step in the database");
    assertEquals(0, boss("f").state().completions, "nor in memory");
    // server-b dies: this server takes the instance over after its lease and completes it
    sql("UPDATE sf_instance SET lease_until = 0 WHERE instance_id = '" + id + "'");
    awaitStatus("f", id, "complete");
    assertEquals(1, boss("f").state().completions, "the state change happened once");
    assertTrue(agents.store().find("boss", "f").state.contains("\"completions\":1"));
  }

  void sql(String update) {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(true);
      c.createStatement().executeUpdate(update);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ atomic start

  @Test
  void aFaultBetweenTheInstanceAndItsTrackingRowLeavesNeither() {
    WorkflowTracking.faultAfterInstance = new Stmt("UPDATE sf_fault_injected SET x = 1");
    assertThrows(RuntimeException.class,
        () -> in("a", b -> b.runWorkflow("job", Job.plain("z"), RunWorkflowOptions.withId("z1"))));
    WorkflowTracking.faultAfterInstance = null;
    assertEquals(0, rows("SELECT COUNT(*) FROM sf_instance WHERE instance_id = 'z1'"));
    assertEquals(0, rows("SELECT COUNT(*) FROM sf_agent_workflow WHERE workflow_id = 'z1'"));
    assertNull(in("a", b -> b.getWorkflow("z1")));
    // and the same id starts fine afterwards
    in("a", b -> b.runWorkflow("job", Job.plain("z"), RunWorkflowOptions.withId("z1")));
    awaitStatus("a", "z1", "complete");
  }

  // ------------------------------------------------------------------ errors

  @Test
  void duplicatesUnknownIdsAndUnknownWorkflowsAreRefusedClearly() {
    in("a", b -> b.runWorkflow("job", Job.plain("d"), RunWorkflowOptions.withId("dup")));
    IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
        () -> in("a", b -> b.runWorkflow("job", Job.plain("d"), RunWorkflowOptions.withId("dup"))));
    assertEquals("Workflow with ID \"dup\" is already being tracked", dup.getMessage());
    // the same id for another workflow of the same agent is a duplicate too
    assertThrows(IllegalArgumentException.class,
        () -> in("a", b -> b.runWorkflow("echo", Map.of(), RunWorkflowOptions.withId("dup"))));
    for (java.util.function.Consumer<Boss> op : List.<java.util.function.Consumer<Boss>>of(
        b -> b.terminateWorkflow("nope"), b -> b.pauseWorkflow("nope"),
        b -> b.resumeWorkflow("nope"), b -> b.restartWorkflow("nope", true),
        b -> b.getWorkflowStatus("nope"), b -> b.approveWorkflow("nope", "ok", null),
        b -> b.rejectWorkflow("nope", "no"), b -> b.sendWorkflowEvent("nope", "t", null))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Agents.get(Boss.class, "a").run(op));
      assertEquals("Workflow nope not found in tracking table", e.getMessage());
    }
    assertNull(in("a", b -> b.getWorkflow("nope")));
    assertFalse((boolean) in("a", b -> b.deleteWorkflow("nope")));
    WorkflowException unknown = assertThrows(WorkflowException.class,
        () -> in("a", b -> b.runWorkflow("NO_SUCH", Map.of())));
    assertEquals(WorkflowException.Reason.WORKFLOW_NOT_FOUND, unknown.reason());
    // another agent instance does not see a's workflows
    assertNull(in("b", b -> b.getWorkflow("dup")));
  }

  // ------------------------------------------------------------------ paging

  @Test
  void cursorPagingHasNoOverlapNoGapAndAStableOrder() {
    int n = 230;
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < n; i++) {
      int k = i;
      ids.add(in("p", b -> b.runWorkflow("echo", Map.of("i", k),
          new RunWorkflowOptions(String.format("w%03d", k), Map.of("parity", k % 2), null))));
    }
    waitFor(() -> in("p", b -> b.getWorkflows(WorkflowQuery.all().status("complete"))).total() == n,
        "all complete");
    for (boolean asc : new boolean[] {false, true}) {
      List<TrackedWorkflow> all = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        WorkflowQuery q = WorkflowQuery.all().limit(37).cursor(cursor);
        if (asc) {
          q.ascending();
        }
        WorkflowPage page = in("p", b -> b.getWorkflows(q));
        assertEquals(n, page.total(), "total ignores the cursor");
        all.addAll(page.workflows());
        cursor = page.nextCursor();
        pages++;
      } while (cursor != null);
      assertEquals(7, pages);
      assertEquals(n, all.size());
      assertEquals(ids, new HashSet<>(all.stream().map(TrackedWorkflow::workflowId).toList()),
          "no gap, no overlap");
      List<TrackedWorkflow> sorted = new ArrayList<>(all);
      java.util.Comparator<TrackedWorkflow> order = java.util.Comparator
          .comparing(TrackedWorkflow::createdAt).thenComparing(TrackedWorkflow::workflowId);
      sorted.sort(asc ? order : order.reversed());
      assertEquals(sorted, all, "stable (created, id) order");
    }
    WorkflowPage odd = in("p", b -> b.getWorkflows(WorkflowQuery.all().metadata("parity", 1)
        .limit(100)));
    assertEquals(n / 2, odd.total());
    assertTrue(odd.workflows().stream().allMatch(w -> w.metadata().get("parity").toString()
        .equals("1")));
    // forged, altered, foreign and garbage cursors are refused
    String good = in("p", b -> b.getWorkflows(WorkflowQuery.all().limit(10))).nextCursor();
    String altered = good.substring(0, good.indexOf('.')).replace('M', 'N').replace('x', 'y')
        + good.substring(good.indexOf('.'));
    String forged = java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString("0:w000".getBytes()) + good.substring(good.indexOf('.'));
    for (String bad : List.of("garbage", "a.b", forged, altered)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> in("p", b -> b.getWorkflows(WorkflowQuery.all().limit(10).cursor(bad))), bad);
      assertTrue(e.getMessage().startsWith("Invalid pagination cursor"), e.getMessage());
    }
    // a cursor of another query (other filter, other order, other agent) is stale here
    assertThrows(IllegalArgumentException.class, () -> in("p",
        b -> b.getWorkflows(WorkflowQuery.all().limit(10).ascending().cursor(good))));
    assertThrows(IllegalArgumentException.class, () -> in("p",
        b -> b.getWorkflows(WorkflowQuery.all().status("complete").limit(10).cursor(good))));
    assertThrows(IllegalArgumentException.class,
        () -> in("q", b -> b.getWorkflows(WorkflowQuery.all().limit(10).cursor(good))));
    assertThrows(IllegalArgumentException.class,
        () -> in("p", b -> b.getWorkflows(WorkflowQuery.all().limit(101))));
    assertThrows(IllegalArgumentException.class,
        () -> in("p", b -> b.getWorkflows(WorkflowQuery.all().limit(0))));
  }

  @Test
  void aCursorStaysValidAcrossARestartAndOnAnotherServerButAForgedOneDoesNot() {
    TrackingCursor.Position at = new TrackingCursor.Position(1234L, "w-1");
    String cursor = TrackingCursor.of(db).encode(at, "query");
    // another runtime on the same database (a restart, or a second server) reads the same key
    assertEquals(at, TrackingCursor.of(db).decode(cursor, "query"));
    assertEquals(1, rows("SELECT COUNT(*) FROM sf_secret"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TrackingCursor(new byte[32]).decode(cursor, "query"));
    assertTrue(e.getMessage().startsWith("Invalid pagination cursor"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> TrackingCursor.of(db).decode(cursor, "another query"));
  }

  @Test
  void filtersByStatusNameAndCreationTime() throws Exception {
    String a = in("f", b -> b.runWorkflow("echo", Map.of()));
    awaitStatus("f", a, "complete");
    Thread.sleep(5);
    Instant between = Instant.now();
    Thread.sleep(5);
    String w = in("f", b -> b.runWorkflow("job", new Job("w", true, false, false, false, true)));
    awaitStatus("f", w, "waiting");
    assertEquals(List.of(w), ids(in("f", b -> b.getWorkflows(WorkflowQuery.all().status("waiting")))));
    assertEquals(2, in("f", b -> b.getWorkflows(WorkflowQuery.all().status("waiting", "complete"))).total());
    assertEquals(List.of(a), ids(in("f", b -> b.getWorkflows(WorkflowQuery.all().workflowName("echo")))));
    assertEquals(List.of(a), ids(in("f", b -> b.getWorkflows(WorkflowQuery.all().createdBefore(between)))));
    assertEquals(List.of(w), ids(in("f", b -> b.getWorkflows(WorkflowQuery.all().createdAfter(between)))));
    assertEquals(1, (int) in("f", b -> b.deleteWorkflows(WorkflowQuery.all().status("complete"), true)));
    assertEquals(0, rows("SELECT COUNT(*) FROM sf_instance WHERE instance_id = '" + a + "'"));
    assertEquals(List.of(w), ids(in("f", b -> b.getWorkflows(WorkflowQuery.all()))));
  }

  static List<String> ids(WorkflowPage p) {
    return p.workflows().stream().map(TrackedWorkflow::workflowId).toList();
  }

  // ------------------------------------------------------------------ approvals and control

  @Test
  void approveCompletesAndRejectReportsOnce() {
    String yes = in("a", b -> b.runWorkflow("job", new Job("y", true, false, false, false, true)));
    String no = in("a", b -> b.runWorkflow("job", new Job("n", true, false, false, false, true)));
    awaitStatus("a", yes, "waiting");
    awaitStatus("a", no, "waiting");
    in("a", b -> {
      b.approveWorkflow(yes, "fine", Map.of("by", "ada"));
      b.rejectWorkflow(no, "no budget");
      return null;
    });
    awaitStatus("a", yes, "complete");
    TrackedWorkflow rejected = awaitStatus("a", no, "errored");
    assertEquals("Workflow rejected: no budget", rejected.errorMessage());
    assertEquals(1, WorkflowAgents.count("a ERROR " + no), WorkflowAgents.CALLBACKS.toString());
    assertEquals(0, WorkflowAgents.count("a COMPLETE " + no));
    assertEquals(1, WorkflowAgents.count("a COMPLETE " + yes));
  }

  @Test
  void theTrackingRowFollowsTheInstanceHoweverItChanged() {
    String id = in("c", b -> b.runWorkflow("job", new Job("c", true, false, false, false, true)));
    awaitStatus("c", id, "waiting");
    // changed behind the agent's back, as the REST API (wrangler) does it
    var rest = engine.engine.client("job").get(id);
    rest.pause();
    assertEquals("paused", in("c", b -> b.getWorkflow(id)).status());
    rest.resume();
    awaitStatus("c", id, "waiting");
    rest.terminate();
    TrackedWorkflow t = in("c", b -> b.getWorkflow(id));
    assertEquals("terminated", t.status());
    assertNotNull(t.completedAt());
    rest.restart();
    awaitStatus("c", id, "waiting");
    assertNull(in("c", b -> b.getWorkflow(id)).completedAt());
    // and through the agent
    in("c", b -> {
      b.pauseWorkflow(id);
      return null;
    });
    assertEquals("paused", in("c", b -> b.getWorkflow(id)).status());
    in("c", b -> {
      b.resumeWorkflow(id);
      return null;
    });
    awaitStatus("c", id, "waiting");
    in("c", b -> {
      b.terminateWorkflow(id);
      return null;
    });
    assertEquals("terminated", in("c", b -> b.getWorkflow(id)).status());
  }

  @Test
  void restartRunsAgainAndCallsBackAgainFromTheNamedStepToo() {
    String id = in("r", b -> b.runWorkflow("job", Job.plain("r")));
    awaitStatus("r", id, "complete");
    Instant created = in("r", b -> b.getWorkflow(id)).createdAt();
    in("r", b -> {
      b.restartWorkflow(id, RestartFrom.step("save"), false);
      return null;
    });
    waitFor(() -> boss("r").state().completions == 2, "second completion");
    awaitStatus("r", id, "complete");
    assertEquals(1, WorkflowAgents.WORK_RUNS.get(), "the steps before 'save' were kept");
    assertEquals(created, in("r", b -> b.getWorkflow(id)).createdAt());
    in("r", b -> {
      b.restartWorkflow(id, true);
      return null;
    });
    waitFor(() -> boss("r").state().completions == 3, "third completion");
    assertEquals(2, WorkflowAgents.WORK_RUNS.get());
    assertEquals(3, WorkflowAgents.count("r COMPLETE " + id));
  }

  @Test
  void deleteAndMigrate() {
    String id = in("m", b -> b.runWorkflow("echo", Map.of()));
    awaitStatus("m", id, "complete");
    assertEquals(1, (int) in("m", b -> b.migrateWorkflowBinding("echo", "job")));
    assertEquals("job", in("m", b -> b.getWorkflow(id)).workflowName());
    assertEquals("complete", in("m", b -> b.getWorkflow(id)).status(), "still joined to its instance");
    assertThrows(WorkflowException.class, () -> in("m", b -> b.migrateWorkflowBinding("job", "gone")));
    assertTrue((boolean) in("m", b -> b.deleteWorkflow(id)));
    assertNull(in("m", b -> b.getWorkflow(id)));
    assertEquals(1, rows("SELECT COUNT(*) FROM sf_instance WHERE instance_id = '" + id + "'"),
        "the instance stays unless asked");
  }

  @Test
  void startWarnsAboutTrackedWorkflowsNoLongerDeployed() throws Exception {
    String id = in("m", b -> b.runWorkflow("echo", Map.of()));
    awaitStatus("m", id, "complete");
    try (Connection c = db.getConnection()) {
      c.createStatement().executeUpdate("UPDATE sf_agent_workflow SET workflow_name = 'OLD_ECHO',"
          + " engine_workflow = 'old-echo' WHERE workflow_id = '" + id + "'");
    }
    List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Logger log = java.util.logging.Logger.getLogger(AgentWorkflows.class.getName());
    java.util.logging.Handler h = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        warnings.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    log.addHandler(h);
    try {
      agents.attachWorkflows(engine.engine); // as at the next start
    } finally {
      log.removeHandler(h);
    }
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("'OLD_ECHO', which is no longer deployed"), warnings.get(0));
    assertTrue(warnings.get(0).contains("migrateWorkflowBinding"), warnings.get(0));
  }

  @Test
  void agentsGetGivesServerCodeAHandle() {
    Agents.get(Boss.class, "h").run(b -> b.saveResult("x"));
    assertEquals(List.of("saved x"), boss("h").state().results);
    assertThrows(IllegalArgumentException.class, () -> Agents.get(NotDeployed.class, "h"));
  }

  public static class NotDeployed extends Agent<Object> {}

  @Test
  void workflowsShowInTheStatusCountsOfSeveralAgentsSeparately() {
    in("x", b -> b.runWorkflow("echo", Map.of()));
    in("y", b -> b.runWorkflow("echo", Map.of()));
    assertEquals(1, in("x", b -> b.getWorkflows(WorkflowQuery.all())).total());
    assertEquals(1, in("y", b -> b.getWorkflows(WorkflowQuery.all())).total());
    assertEquals(Duration.ZERO.toMillis(), 0);
  }
}
