package dev.steadfast.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.InstanceStatus;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowBinding;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.WorkflowEngine;
import dev.steadfast.workflow.store.AttemptRecord;
import dev.steadfast.workflow.store.StepRecord;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.transaction.UserTransaction;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ExplodedImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.jboss.shrinkwrap.api.GenericArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The engine inside Payara Micro, one server start for all of it: CDI discovery and injection,
 * JTA, the EJB wake-up timer and the H2 file database of the data directory (under target/).
 */
@ExtendWith(ArquillianExtension.class)
class EngineInServerIT {

  @Deployment
  static WebArchive deployment() {
    // a fresh data directory per run; the server gets it as -Dsteadfast.data.dir (see the pom)
    TestWars.emptyDirectory(TestWars.target().resolve("it-data/arquillian"));
    // the main classes and resources exactly as built (persistence.xml, microprofile-config,
    // db/migration, the CDI extension's service file), without the demo workflows
    GenericArchive main = ShrinkWrap.create(ExplodedImporter.class, "main")
        .importDirectory(TestWars.target().resolve("classes").toFile())
        .as(GenericArchive.class);
    return ShrinkWrap.create(WebArchive.class, "steadfast-it.war")
        .merge(main, "/WEB-INF/classes",
            path -> !path.get().contains("/dev/steadfast/examples"))
        .addAsWebInfResource(Path.of("src/main/webapp/WEB-INF/beans.xml").toFile(), "beans.xml")
        .addAsLibraries(TestWars.runtimeLibraries())
        .addClasses(ServerTestWorkflow.class, Greeter.class);
  }

  @Inject WorkflowEngine engine;

  @Inject
  @WorkflowBinding("IT_ORDER_WORKFLOW")
  WorkflowClient<ServerTestWorkflow.Params> orders;

  @Inject JtaTransactor transactor;

  @EJB TimerBean timer;

  @Test
  void workflowWithStepsRetrySleepAndEventCompletes() throws Exception {
    assertEquals("it-order", orders.name(), "binding name resolves to the workflow");
    assertTrue(engine.registry().all().stream().noneMatch(d -> d.name().equals("processing")),
        "the demo workflows were left out of this deployment");

    String id = "order-" + UUID.randomUUID();
    long firedBefore = timer.firedCount();
    WorkflowInstance instance =
        // 2 s: long enough to be an EJB timer also where sub-second wake-ups use a scheduler
        orders.create(id, new ServerTestWorkflow.Params("Ada", 2, 2_000));
    long created = System.currentTimeMillis();

    // the instance reaches the event wait only after the sleep, which the EJB timer ends
    awaitStep(id, s -> s.name().equals("approval"), 30_000);
    long waited = System.currentTimeMillis() - created;
    assertTrue(waited >= 2_000, "slept at least 2 s, took " + waited + " ms");
    assertTrue(timer.firedCount() > firedBefore, "the EJB timer fired to end the sleep");
    // the wait's step row is written, then the turn ends and the instance becomes waiting: a
    // moment apart (seen RUNNING once in CI when read at once, with another suite beside it)
    long until = System.currentTimeMillis() + 10_000;
    while (instance.status().status() == Status.RUNNING && System.currentTimeMillis() < until) {
      Thread.sleep(50);
    }
    assertEquals(Status.WAITING, instance.status().status());

    instance.sendEvent("approval", new ServerTestWorkflow.Approval("Grace"));
    InstanceStatus done = await(instance, 30_000);
    assertEquals(Status.COMPLETE, done.status(), () -> "instance ended as " + done);

    ServerTestWorkflow.Result result = done.output(ServerTestWorkflow.Result.class);
    assertEquals("Hello, Ada", result.greeting(), "@Inject works inside the workflow");
    assertEquals(new ServerTestWorkflow.Quote("Ada", 4200), result.quote());
    // the last turn replayed every step from the journal: results came back typed
    assertEquals(ServerTestWorkflow.Quote.class.getName(), result.quoteClass());
    assertEquals(ServerTestWorkflow.Quote.class.getName(), result.listElementClass());
    assertEquals(3, result.succeededOnAttempt(), "two failures retried, third attempt succeeds");
    assertEquals("Grace", result.approvedBy());

    // the journal (group-committed by the journal writer): one row per step, one per attempt
    // of the flaky step
    WorkflowEngine.InstanceView view = engine.view("it-order", id);
    assertEquals(List.of("greet", "quote", "history", "flaky call", "nap", "approval"),
        view.steps().stream().map(StepRecord::name).toList());
    List<AttemptRecord> flaky = view.attempts().values().stream()
        .filter(a -> a.size() == 3).findFirst().orElse(null);
    assertNotNull(flaky, () -> "three attempts of the flaky step in " + view.attempts());
    assertEquals(6L, count("SELECT COUNT(*) FROM sf_step s JOIN sf_instance i"
        + " ON s.instance_uid = i.uid WHERE i.instance_id = ?1", id));
    assertTrue(count("SELECT COUNT(*) FROM sf_attempt a JOIN sf_instance i"
        + " ON a.instance_uid = i.uid WHERE i.instance_id = ?1", id) >= 3);
  }

  @Test
  void jtaCommitsAndRollsBack() {
    String committed = "it-commit-" + UUID.randomUUID().toString().substring(0, 8);
    String rolledBack = "it-rollback-" + UUID.randomUUID().toString().substring(0, 8);
    transactor.inTransaction(em -> em.createNativeQuery(INSERT_WORKFLOW)
        .setParameter(1, committed).executeUpdate());
    assertThrows(RuntimeException.class, () -> transactor.inTransaction(em -> {
      em.createNativeQuery(INSERT_WORKFLOW).setParameter(1, rolledBack).executeUpdate();
      throw new IllegalStateException("roll this transaction back");
    }));
    assertEquals(1L, count("SELECT COUNT(*) FROM sf_workflow WHERE name = ?1", committed));
    assertEquals(0L, count("SELECT COUNT(*) FROM sf_workflow WHERE name = ?1", rolledBack));
    transactor.inTransaction(em -> em.createNativeQuery("DELETE FROM sf_workflow WHERE name = ?1")
        .setParameter(1, committed).executeUpdate());
  }

  @Test
  void workflowBindingInjectsAClientPerName() {
    assertEquals("it-order", orders.name());
    assertFalse(engine.registry().all().isEmpty());
    WorkflowInstance twice = orders.create("dup-" + UUID.randomUUID(),
        new ServerTestWorkflow.Params("Bob", 0, 1_000));
    assertEquals(twice.id(), orders.get(twice.id()).id(), "get finds the created instance");
    twice.terminate();
  }

  @Test
  void aWorkflowCreatedInsideACallersTransactionIsCommittedOnItsOwn() throws Exception {
    // create commits on its own (its write may share a batch with other instances' writes, on a
    // connection of the journal's non-transactional datasource): rolling the caller's
    // transaction back leaves the instance created and running
    String id = "in-tx-" + UUID.randomUUID();
    userTransaction.begin();
    try {
      orders.create(id, new ServerTestWorkflow.Params("Tx", 0, 1_000));
    } finally {
      userTransaction.rollback();
    }
    WorkflowInstance instance = orders.get(id);
    awaitStep(id, s -> s.name().equals("approval"), 30_000);
    instance.sendEvent("approval", new ServerTestWorkflow.Approval("Ada"));
    InstanceStatus done = await(instance, 30_000);
    assertEquals(Status.COMPLETE, done.status(), () -> "instance ended as " + done);
    assertEquals("Hello, Tx", done.output(ServerTestWorkflow.Result.class).greeting());
  }

  @Resource UserTransaction userTransaction;

  private static final String INSERT_WORKFLOW = "INSERT INTO sf_workflow"
      + " (name, class_name, binding, version_id, created_at, modified_at)"
      + " VALUES (?1, 'x', 'X', 'v', 0, 0)";

  private long count(String sql, String param) {
    return transactor.inTransaction(em -> ((Number) em.createNativeQuery(sql)
        .setParameter(1, param).getSingleResult()).longValue());
  }

  private void awaitStep(String id, Predicate<StepRecord> step, long millis) throws Exception {
    long end = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < end) {
      if (engine.view("it-order", id).steps().stream().anyMatch(step)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("step not reached in " + millis + " ms: " + engine.view("it-order", id));
  }

  private static InstanceStatus await(WorkflowInstance instance, long millis) throws Exception {
    long end = System.currentTimeMillis() + millis;
    InstanceStatus s = instance.status();
    while (!s.status().isFinished() && System.currentTimeMillis() < end) {
      Thread.sleep(50);
      s = instance.status();
    }
    return s;
  }
}
