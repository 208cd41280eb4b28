package dev.steadfast.workflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.BatchOptions;
import dev.steadfast.workflow.BatchResult;
import dev.steadfast.workflow.DeleteResult;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowClient.NewInstance;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.WorkflowException.Reason;
import dev.steadfast.workflow.WorkflowInstance;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 10 item 5: createBatch by count or list with an error per entry, deleteBatch. One engine
 * for the class (each test uses ids of its own), so the class costs one database and one start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchTest {
  DataSource newDatabase() {
    return Databases.h2();
  }

  private EngineHarness h;

  @BeforeAll
  void start() {
    PolicyWorkflows.reset();
    h = new EngineHarness(newDatabase(), EngineHarness.fastConfig("batcher"))
        .register(PolicyWorkflows.OutcomeWorkflow.class, PolicyWorkflows.OutcomeWorkflow::new)
        .register(PolicyWorkflows.SelfDeletingWorkflow.class,
            PolicyWorkflows.SelfDeletingWorkflow::new)
        .start();
    PolicyWorkflows.engine = h.engine;
  }

  @AfterAll
  void stop() {
    h.close();
  }

  private WorkflowClient<Boolean> outcome() {
    return h.engine.client("outcome");
  }

  @Test
  void aBatchByCountCreatesThatManyInstancesWithTheirOwnIds() {
    BatchResult r = outcome().createBatch(BatchOptions.count(5, false));
    assertEquals(List.of(), r.errors());
    assertEquals(5, r.created().size());
    assertEquals(5, new HashSet<>(r.created().stream().map(WorkflowInstance::id).toList()).size());
    for (WorkflowInstance i : r.created()) {
      assertEquals("done", h.await(i, Status.COMPLETE).output(String.class));
    }
  }

  @Test
  void anEntryThatCannotBeCreatedIsAnErrorOfItsOwnAndTheOthersAreCreated() {
    WorkflowInstance taken = outcome().create("taken", false);
    h.await(taken, Status.COMPLETE);
    long takenCreated = h.engine.view("outcome", "taken").instance().createdAt();
    String tooLarge = "x".repeat(Limits.MAX_BYTES + 1);
    List<NewInstance<Object>> list = new ArrayList<>();
    list.add(new NewInstance<>("ok-1", false));
    list.add(new NewInstance<>("taken", false));
    list.add(new NewInstance<>("ok-1", true));
    list.add(new NewInstance<>("not an id!", false));
    list.add(new NewInstance<>("big", tooLarge));
    list.add(new NewInstance<>("ok-2", false));
    WorkflowClient<Object> c = h.engine.client("outcome");
    BatchResult r = c.createBatch(BatchOptions.of(list));
    assertEquals(List.of("ok-1", "ok-2"), r.created().stream().map(WorkflowInstance::id).toList());
    assertEquals(List.of(1, 2, 3, 4), r.errors().stream().map(BatchResult.Error::index).toList());
    assertEquals(List.of(Reason.ALREADY_EXISTS, Reason.DUPLICATE_ID, Reason.INVALID,
        Reason.TOO_LARGE), r.errors().stream().map(BatchResult.Error::reason).toList());
    assertEquals(List.of("taken", "ok-1", "not an id!", "big"),
        r.errors().stream().map(BatchResult.Error::id).toList());
    assertTrue(r.errors().get(1).message().contains("first at index 0"), r.errors().get(1)
        .message());
    // the existing instance is untouched, the duplicate's params did not win
    assertEquals(takenCreated, h.engine.view("outcome", "taken").instance().createdAt());
    assertEquals(Status.COMPLETE, h.await(c.get("ok-1"), Status.COMPLETE).status());
    assertThrows(WorkflowException.class, () -> c.get("big"));
  }

  @Test
  void theArrayFormStillSkipsIdsInUse() {
    h.await(outcome().create("in-use", false), Status.COMPLETE);
    List<WorkflowInstance> made = outcome().createBatch(List.of(new NewInstance<>("in-use", true),
        new NewInstance<>("fresh", false)));
    assertEquals(List.of("fresh"), made.stream().map(WorkflowInstance::id).toList());
    assertEquals(Reason.INVALID, assertThrows(WorkflowException.class,
        () -> outcome().createBatch(List.of(new NewInstance<>("bad id", false)))).reason());
  }

  @Test
  void batchesHoldOneToAHundredEntries() {
    assertEquals(Reason.INVALID, assertThrows(WorkflowException.class,
        () -> outcome().createBatch(BatchOptions.count(101, false))).reason());
    assertEquals(Reason.INVALID, assertThrows(WorkflowException.class,
        () -> outcome().createBatch(BatchOptions.count(0, false))).reason());
    assertEquals(Reason.INVALID, assertThrows(WorkflowException.class,
        () -> outcome().deleteBatch(List.of())).reason());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      ids.add("i" + i);
    }
    assertEquals(Reason.INVALID, assertThrows(WorkflowException.class,
        () -> outcome().deleteBatch(ids)).reason());
  }

  @Test
  void deleteBatchDeletesWhatItFindsAndReportsEachIdItDoesNot() {
    h.await(outcome().create("d-1", false), Status.COMPLETE);
    h.await(outcome().create("d-2", true), Status.ERRORED);
    DeleteResult r = outcome().deleteBatch(List.of("d-1", "missing", "bad id", "d-2", "d-1"));
    assertEquals(List.of("d-1", "d-2"), r.deleted());
    assertEquals(List.of("missing", "bad id"),
        r.errors().stream().map(DeleteResult.Error::id).toList());
    assertEquals(List.of(Reason.INSTANCE_NOT_FOUND, Reason.INVALID),
        r.errors().stream().map(DeleteResult.Error::reason).toList());
    for (String id : List.of("d-1", "d-2")) {
      assertEquals(Reason.INSTANCE_NOT_FOUND,
          assertThrows(WorkflowException.class, () -> outcome().get(id)).reason());
    }
  }

  @Test
  void anInstanceThatDeletesItselfStops() {
    WorkflowInstance i = h.engine.client("self-delete").create("selfish", null);
    long deadline = System.currentTimeMillis() + 10_000;
    while (PolicyWorkflows.ran("selfish", "delete me") == 0
        || h.engine.runningTurns() > 0) {
      assertTrue(System.currentTimeMillis() < deadline, "the instance never deleted itself");
      EngineHarness.sleep(10);
    }
    assertEquals(Reason.INSTANCE_NOT_FOUND,
        assertThrows(WorkflowException.class, () -> i.status()).reason());
    EngineHarness.sleep(300); // a turn that went on would run "after" now
    assertEquals(1, PolicyWorkflows.ran("selfish", "first"));
    assertEquals(1, PolicyWorkflows.ran("selfish", "delete me"));
    assertEquals(0, PolicyWorkflows.ran("selfish", "after"), "the deleted instance went on");
    // the engine is unharmed: the next instance runs to the end
    assertEquals("done", h.await(outcome().create("next", false), Status.COMPLETE)
        .output(String.class));
  }
}
