package dev.steadfast.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.AgentWorkflow;
import dev.steadfast.agent.store.AgentPersistence;
import dev.steadfast.agent.runtime.WorkflowAgents.Boss;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.Databases;
import dev.steadfast.workflow.engine.EngineEvent;
import dev.steadfast.workflow.engine.EngineHarness;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two servers on one database, each with its engine and its agents: a workflow whose turn runs
 * on the server where its agent is not live moves to the server where it is, instead of failing.
 */
class AgentWorkflowTwoServersTest {
  DataSource newDatabase() {
    return Databases.h2();
  }

  DataSource db;
  EngineHarness engineA;
  EngineHarness engineB;
  final List<AgentRuntime> runtimes = new ArrayList<>();
  final List<EntityManagerFactory> emfs = new ArrayList<>();
  ScheduledExecutorService scheduler;

  @BeforeEach
  void setUp() {
    WorkflowAgents.reset();
    db = newDatabase();
    scheduler = Executors.newScheduledThreadPool(2);
    engineA = harness("server-a").start();
    engineB = harness("server-b");
  }

  EngineHarness harness(String server) {
    return new EngineHarness(db, EngineHarness.fastConfig(server))
        .register(WorkflowAgents.JobWorkflow.class, WorkflowAgents.JobWorkflow::new)
        .register(WorkflowAgents.SlowSaveWorkflow.class, WorkflowAgents.SlowSaveWorkflow::new)
        .register(WorkflowAgents.AskWorkflow.class, WorkflowAgents.AskWorkflow::new);
  }

  AgentRuntime runtime(String server) {
    return runtime(server, Duration.ofSeconds(30));
  }

  AgentRuntime runtime(String server, Duration lease) {
    EntityManagerFactory emf = AgentPersistence.create(db);
    emfs.add(emf);
    List<Class<? extends Agent<?>>> classes = List.of(Boss.class);
    AgentRuntime rt = TestRuntimes.create(emf, classes, scheduler, Clock.systemUTC(),
        new Retry(3, 10, 50));
    rt.setOwner(server, lease);
    runtimes.add(rt);
    return rt;
  }

  @AfterEach
  void tearDown() throws Exception {
    runtimes.forEach(AgentRuntime::stop);
    engineA.close();
    if (engineB.engine != null) {
      engineB.close();
    }
    scheduler.shutdownNow();
    emfs.forEach(EntityManagerFactory::close);
    if (db instanceof AutoCloseable pool) {
      pool.close();
    }
  }

  String owner(String instanceId) {
    try (Connection c = db.getConnection(); PreparedStatement p =
        c.prepareStatement("SELECT owner FROM sf_instance WHERE instance_id = ?")) {
      p.setString(1, instanceId);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** server-a: agents attached to the running engine A; server-b: agents whose engine waits. */
  AgentRuntime[] servers(Duration lease) {
    AgentRuntime a = runtime("server-a", lease);
    a.attachWorkflows(engineA.engine);
    a.start(0, 0);
    AgentRuntime b = runtime("server-b", lease);
    b.start(0, 0);
    return new AgentRuntime[] {a, b};
  }

  /** Params of a workflow started by boss/{@code agent}, as runWorkflow writes them. */
  static Map<String, Object> of(String agent, String workflow, Map<String, Object> payload) {
    Map<String, Object> params = new LinkedHashMap<>(payload);
    params.put(AgentWorkflow.AGENT_BINDING_KEY, "boss");
    params.put(AgentWorkflow.AGENT_NAME_KEY, agent);
    params.put(AgentWorkflow.WORKFLOW_NAME_KEY, workflow);
    return params;
  }

  long count(String sql, String instanceId) {
    try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
      p.setString(1, instanceId);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  List<String> rows(String sql, String instanceId) {
    try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
      p.setString(1, instanceId);
      List<String> out = new ArrayList<>();
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          StringBuilder b = new StringBuilder();
          for (int k = 1; k <= rs.getMetaData().getColumnCount(); k++) {
            b.append(rs.getString(k)).append(k < rs.getMetaData().getColumnCount() ? " | " : "");
          }
          out.add(b.toString());
        }
      }
      return out;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  void awaitHandedTo(String server, String instanceId) {
    long end = System.currentTimeMillis() + 20_000;
    while (!server.equals(owner(instanceId))) {
      assertTrue(System.currentTimeMillis() < end, "never handed to " + server + "; owner "
          + owner(instanceId) + ", callbacks " + WorkflowAgents.CALLBACKS);
      EngineHarness.sleep(20);
    }
  }

  @Test
  void aServerWhoseAgentLeaseLapsedHandsTheWorkflowToTheNewOwner() {
    // the agent and its workflow (waiting for approval) on server-a, with a 1.5 s agent lease
    Duration lease = Duration.ofMillis(1_500);
    AgentRuntime[] servers = servers(lease);
    AgentRuntime a = servers[0];
    AgentRuntime b = servers[1];
    WorkflowInstance i = engineA.engine.client("ask").create("stale", of("z", "ask", Map.of()));
    engineA.await(i, Status.WAITING, Duration.ofSeconds(20));
    assertNotNull(a.liveInstance("boss", "z"), "the workflow's state change activated it on a");

    // server-a's agent runtime stalls (its engine runs on); server-b takes the agent over
    a.abandon();
    AgentInstance z = TestRuntimes.takeWhenFree(b, "boss", "z", 10);
    WorkflowAgents.BossState mine = ((Boss) (Agent<?>) z.agent()).copy();
    mine.results.add("server-b's");
    z.setState(mine);

    // the approval wakes the workflow on server-a: its copy of the agent is stale, so the state
    // change joined to the next step moves to server-b instead of writing that copy back
    i.sendEvent("approval", Map.of("approved", true));
    awaitHandedTo("server-b", "stale");
    assertNull(a.liveInstance("boss", "z"), "server-a let go of its stale copy");
    assertTrue(b.store().find("boss", "z").state.contains("server-b's"),
        b.store().find("boss", "z").state);

    engineB.start(b::attachWorkflows);
    engineB.await(engineB.engine.client("ask").get("stale"), Status.COMPLETE,
        Duration.ofSeconds(20));
    Boss boss = (Boss) (Agent<?>) b.instance("boss", "z").agent();
    assertEquals("approved", boss.state().phase);
    assertEquals(List.of("server-b's", "stale=asked"), boss.state().results,
        "server-b's change kept, the completion once");
  }

  @Test
  void aStepWhoseStartWasRecordedMovesWithoutALostAttempt() {
    AgentRuntime b = servers(Duration.ofSeconds(30))[1];
    b.instance("boss", "y");
    engineA.engine.client("slow-save").create("slow", of("y", "slow-save", Map.of()));
    awaitHandedTo("server-b", "slow");
    // the attempts of the slow step (the completion report is a step of its own)
    String attempts = "SELECT COUNT(*) FROM sf_attempt a JOIN sf_instance i"
        + " ON i.uid = a.instance_uid JOIN sf_step s ON s.instance_uid = a.instance_uid"
        + " AND s.gen = a.gen AND s.step_key = a.step_key"
        + " WHERE i.instance_id = ? AND s.name = 'slow-save'";
    assertEquals(0, count("SELECT COUNT(*) FROM sf_attempt a JOIN sf_instance i"
        + " ON i.uid = a.instance_uid WHERE i.instance_id = ?", "slow"),
        "the recorded start was taken back");

    engineB.start(b::attachWorkflows);
    engineB.await(engineB.engine.client("slow-save").get("slow"), Status.COMPLETE,
        Duration.ofSeconds(20));
    assertEquals(1, count(attempts, "slow"), () -> "one attempt, on server-b, none lost: "
        + rows("SELECT a.step_key, a.attempt, a.success, a.error_name FROM sf_attempt a"
        + " JOIN sf_instance i ON i.uid = a.instance_uid WHERE i.instance_id = ?", "slow"));
    assertEquals(1, count("SELECT s.attempts FROM sf_step s JOIN sf_instance i"
        + " ON i.uid = s.instance_uid WHERE i.instance_id = ? AND s.name = 'slow-save'", "slow"));
    Boss boss = (Boss) (Agent<?>) b.instance("boss", "y").agent();
    // the agent call ran once (on server-b), then the completion arrived
    assertEquals(List.of("saved slow", "slow=saved"), boss.state().results);
  }

  @Test
  void aTurnOnTheServerWithoutTheAgentMovesToTheServerWhereItIsLive() {
    // the agent instance is live on server-b, whose engine is not running yet
    AgentRuntime b = servers(Duration.ofSeconds(30))[1];
    b.instance("boss", "x");

    // a workflow of boss/x that server-a's engine picks up
    Map<String, Object> params = of("x", "job", Map.of("label", "h", "approval", false,
        "sleep", false, "fail", false, "event", false, "explicitComplete", true));
    engineA.engine.client("job").create("moving", params);

    // server-a ran what needs no agent (the work step), then handed the instance over
    awaitHandedTo("server-b", "moving");
    assertEquals(1, WorkflowAgents.WORK_RUNS.get());
    assertEquals(0, WorkflowAgents.count("x COMPLETE"));
    EngineHarness.sleep(500); // a few of server-a's polls: it leaves the reserved instance alone
    assertEquals("server-b", owner("moving"));

    // server-b's engine starts: it takes the instance and finishes it next to the agent
    engineB.start(b::attachWorkflows);
    engineB.await(engineB.engine.client("job").get("moving"), Status.COMPLETE,
        Duration.ofSeconds(20));
    assertEquals(1, WorkflowAgents.WORK_RUNS.get(), "the recorded step did not run again");
    assertEquals(1, WorkflowAgents.count("x COMPLETE moving done:h"),
        WorkflowAgents.CALLBACKS.toString());
    Boss boss = (Boss) (Agent<?>) b.instance("boss", "x").agent();
    assertEquals(1, boss.state().completions);
    assertTrue(boss.state().results.contains("saved done:h"), boss.state().results.toString());
    assertTrue(engineB.events.stream().anyMatch(e -> e.type() == EngineEvent.Type.WORKFLOW_SUCCESS
        && e.instanceId().equals("moving")));
    assertTrue(engineA.events.stream().noneMatch(e -> e.instanceId().equals("moving")
        && (e.type() == EngineEvent.Type.WORKFLOW_SUCCESS
        || e.type() == EngineEvent.Type.WORKFLOW_FAILURE)));
  }
}
