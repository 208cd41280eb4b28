package dev.steadfast.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.Agents;
import dev.steadfast.agent.store.AgentPersistence;
import dev.steadfast.examples.AgentProcessingWorkflow;
import dev.steadfast.examples.DataProcessingWorkflow;
import dev.steadfast.examples.EtlWorkflow;
import dev.steadfast.examples.ExpenseApprovalWorkflow;
import dev.steadfast.examples.ResearchWorkflow;
import dev.steadfast.examples.TaskAgent;
import dev.steadfast.workflow.engine.Databases;
import dev.steadfast.workflow.engine.EngineHarness;
import dev.steadfast.workflow.engine.LocalTransactor;
import dev.steadfast.workflow.engine.ScheduledWakeUpTimer;
import jakarta.persistence.EntityManagerFactory;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The seeds' demo agent and its five workflows, driven the way a browser drives them. */
class DemoAgentWorkflowsTest {
  EngineHarness engine;
  AgentRuntime agents;
  EntityManagerFactory emf;
  ScheduledExecutorService scheduler;

  @BeforeEach
  void setUp() {
    var db = Databases.h2();
    engine = new EngineHarness(db, EngineHarness.fastConfig("s1"))
        .register(AgentProcessingWorkflow.class, AgentProcessingWorkflow::new)
        .register(ExpenseApprovalWorkflow.class, ExpenseApprovalWorkflow::new)
        .register(DataProcessingWorkflow.class, DataProcessingWorkflow::new)
        .register(EtlWorkflow.class, EtlWorkflow::new)
        .register(ResearchWorkflow.class, ResearchWorkflow::new)
        .start();
    emf = AgentPersistence.create(db);
    scheduler = Executors.newScheduledThreadPool(2);
    List<Class<? extends Agent<?>>> classes = List.of(TaskAgent.class);
    agents = new AgentRuntime(classes, t -> new TaskAgent(), new LocalTransactor(emf),
        new ScheduledWakeUpTimer(scheduler, Clock.systemUTC()), Executors.newCachedThreadPool(),
        scheduler, Clock.systemUTC(), new Retry(3, 10, 50));
    agents.attachWorkflows(engine.engine);
    agents.start(0, 0);
  }

  @AfterEach
  void tearDown() {
    agents.stop();
    engine.close();
    scheduler.shutdownNow();
    emf.close();
  }

  <T> T call(Function<TaskAgent, T> f) {
    return Agents.get(TaskAgent.class, "demo").call(f);
  }

  TaskAgent.Task awaitTask(String id, String status) {
    long end = System.currentTimeMillis() + 20_000;
    while (true) {
      TaskAgent.Task t = call(a -> a.state().tasks.get(id));
      if (t != null && status.equals(t.status)) {
        return t;
      }
      if (System.currentTimeMillis() > end) {
        throw new AssertionError(id + " is " + (t == null ? null : t.status) + ", not " + status);
      }
      EngineHarness.sleep(20);
    }
  }

  @Test
  void processingSavesOnTheAgentAndCompletes() {
    String id = call(a -> a.startProcessing("hello"));
    TaskAgent.Task t = awaitTask(id, "complete");
    assertEquals("HELLO", t.result);
    assertEquals("agent-processing", t.kind);
    assertEquals("hello", t.title);
    assertEquals(List.of("processed", "Complete"), t.messages, "what a client reads, in order");
    assertEquals(List.of(id), call(a -> a.state().saved));
  }

  @Test
  void approvalApprovedRejectedAndEscalated() {
    String yes = call(a -> a.startApproval("laptop", 1200, 60));
    String no = call(a -> a.startApproval("yacht", 9_000_000, 60));
    String late = call(a -> a.startApproval("chair", 90, 1));
    TaskAgent.Task waiting = awaitTask(yes, "waiting");
    assertEquals("laptop (1200)", waiting.title);
    assertEquals("Awaiting approval of laptop (1200)", waiting.message);
    awaitTask(no, "waiting");
    EngineHarness.sleep(300);
    call(a -> {
      a.approve(yes, "ok");
      a.reject(no, "too expensive");
      return null;
    });
    TaskAgent.Task approved = awaitTask(yes, "complete");
    assertEquals("approved laptop by browser", approved.result);
    assertEquals(List.of("Awaiting approval of laptop (1200)", "Approved: ok", "Complete"),
        approved.messages);
    try {
      call(a -> {
        a.approve(yes, "twice");
        return null;
      });
    } catch (RuntimeException refused) {
      // a finished instance may refuse the event; either way the task must stay finished
    }
    assertEquals("complete", call(a -> a.state().tasks.get(yes).status),
        "a second approval reopened a finished task");
    TaskAgent.Task rejected = awaitTask(no, "rejected");
    assertEquals("Workflow rejected: too expensive", rejected.message);
    assertEquals(null, rejected.result);
    assertTrue(awaitTask(late, "errored").message.contains("timed out"), "a time-out is no rejection");
    assertEquals(1, (int) call(a -> a.state().escalations));
  }

  @Test
  void dataProcessingReportsEveryItemAndEtlItsOwnProgress() {
    long started = System.currentTimeMillis();
    String data = call(a -> a.startDataProcessing(List.of("a", "bb", "ccc")));
    String etl = call(a -> a.startEtl(List.of("users", "orders")));
    TaskAgent.Task d = awaitTask(data, "complete");
    assertEquals(1.0, d.percent);
    assertEquals("3 items", d.title);
    assertEquals(List.of("Processed 1/3", "Processed 2/3", "Processed 3/3", "Complete"), d.messages);
    // the last progress's stamp, taken in the workflow: within this test's run
    assertTrue(d.progressAt != null && d.progressAt > started && d.progressAt <= System.currentTimeMillis(),
        "progressAt " + d.progressAt);
    TaskAgent.Task e = awaitTask(etl, "complete");
    assertEquals(200, ((Number) e.result).intValue());
    assertEquals("users, orders", e.title);
    // ETL's own progress type becomes a message and a fraction: stage and table, records done
    assertEquals(List.of("extract users", "extract orders", "transform users", "transform orders",
        "load users", "load orders", "Complete"), e.messages);
    assertEquals(1.0, e.percent, "complete is 100 %");
  }

  @Test
  void researchLoopAnswersFromItsTools() {
    String id = call(a -> a.startResearch("How do workflows and agents work together?"));
    TaskAgent.Task t = awaitTask(id, "complete");
    assertEquals("Agents keep state and talk to clients in real time. Workflows run durable steps"
        + " that survive crashes.", t.result);
    assertEquals(t.result, call(a -> a.state().research));
  }
}
