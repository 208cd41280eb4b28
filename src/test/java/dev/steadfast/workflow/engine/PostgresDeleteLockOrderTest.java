package dev.steadfast.workflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowInstance;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deleting instances while their turns write to them, on PostgreSQL, whose deadlock detector
 * aborts one side of a lock cycle. CI saw {@code deleteWorkflow} fail with "deadlock detected":
 * the delete went child rows first, then the instance rows, while a group commit held an instance
 * row and went on to that instance's step rows. Here a second connection plays the group commit
 * (a share lock on an instance row, then a write to a step row), deterministically.
 */
class PostgresDeleteLockOrderTest {
  private EngineHarness h;
  private DataSource db;
  private String low;
  private String high;
  private String lowUid;
  private String highUid;

  @BeforeEach
  void start() throws Exception {
    db = Databases.postgres();
    h = new EngineHarness(db, EngineHarness.fastConfig("deleter"))
        .register(TestWorkflows.ApprovalWorkflow.class, TestWorkflows.ApprovalWorkflow::new)
        .start();
    WorkflowClient<TestWorkflows.ApprovalParams> c = h.engine.client("approval");
    String run = Long.toString(System.nanoTime(), 36);
    WorkflowInstance x = c.create("x-" + run, new TestWorkflows.ApprovalParams(3_600_000));
    WorkflowInstance y = c.create("y-" + run, new TestWorkflows.ApprovalParams(3_600_000));
    h.await(x, Status.WAITING, Duration.ofSeconds(30));
    h.await(y, Status.WAITING, Duration.ofSeconds(30));
    String ux = uid(x.id());
    String uy = uid(y.id());
    boolean xFirst = ux.compareTo(uy) < 0;
    low = xFirst ? x.id() : y.id();
    high = xFirst ? y.id() : x.id();
    lowUid = xFirst ? ux : uy;
    highUid = xFirst ? uy : ux;
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void deletingAWorkflowWaitsForAWriterThatLocksInstancesInUidOrder() throws Exception {
    try (Connection writer = db.getConnection()) {
      writer.setAutoCommit(false);
      shareLock(writer, lowUid); // a group commit holds the lower instance first
      // deleting the workflow (wrangler workflows delete) deletes its instances in batches
      CompletableFuture<Integer> delete =
          CompletableFuture.supplyAsync(() -> h.engine.deleteWorkflow("approval"));
      awaitBlocked(writer);
      // ...then writes a step row of the higher one: the delete must not have locked it yet
      touchSteps(writer, highUid);
      writer.commit();
      assertEquals(2, delete.get(30, TimeUnit.SECONDS), "instances deleted");
    }
    assertEquals(0, rows(lowUid) + rows(highUid), "instance or step rows left behind");
  }

  @Test
  void aDeleteChosenAsTheDeadlockVictimIsDoneAgain() throws Exception {
    try (Connection writer = db.getConnection()) {
      writer.setAutoCommit(false);
      shareLock(writer, highUid); // out of uid order: a real cycle the database must break
      CompletableFuture<List<String>> delete = CompletableFuture.supplyAsync(
          () -> h.engine.deleteInstances("approval", List.of(low, high)));
      awaitBlocked(writer);
      CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
        try {
          shareLock(writer, lowUid); // the guard of a journal write to the lower instance
          writer.commit();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      // the delete waited first, so PostgreSQL's detector (deadlock_timeout, 1 s) aborts it;
      // it runs again once the writer committed
      write.get(30, TimeUnit.SECONDS);
      assertEquals(List.of(), delete.get(30, TimeUnit.SECONDS), "ids reported missing");
    }
    assertEquals(0, rows(lowUid) + rows(highUid), "instance or step rows left behind");
  }

  private String uid(String instanceId) throws Exception {
    try (Connection c = db.getConnection();
        PreparedStatement p = c.prepareStatement(
            "SELECT uid FROM sf_instance WHERE workflow_name = 'approval' AND instance_id = ?")) {
      p.setString(1, instanceId);
      try (ResultSet rs = p.executeQuery()) {
        assertTrue(rs.next(), instanceId);
        return rs.getString(1);
      }
    }
  }

  private static void shareLock(Connection c, String uid) throws Exception {
    try (PreparedStatement p =
        c.prepareStatement("SELECT uid FROM sf_instance WHERE uid = ? FOR SHARE")) {
      p.setString(1, uid);
      p.executeQuery().close();
    }
  }

  private static void touchSteps(Connection c, String uid) throws Exception {
    try (PreparedStatement p =
        c.prepareStatement("UPDATE sf_step SET state = state WHERE instance_uid = ?")) {
      p.setString(1, uid);
      assertTrue(p.executeUpdate() > 0, "no step rows of " + uid);
    }
  }

  /** Waits until another session waits for a lock that {@code holder} holds. */
  private void awaitBlocked(Connection holder) throws Exception {
    int pid;
    try (ResultSet rs = holder.createStatement().executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      pid = rs.getInt(1);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try (Connection c = db.getConnection();
        PreparedStatement p = c.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))")) {
      p.setInt(1, pid);
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = p.executeQuery()) {
          rs.next();
          if (rs.getInt(1) > 0) {
            return;
          }
        }
        Thread.sleep(20);
      }
    }
    throw new AssertionError("the delete never waited for the writer's lock");
  }

  private int rows(String uid) throws Exception {
    try (Connection c = db.getConnection();
        PreparedStatement p = c.prepareStatement("SELECT (SELECT count(*) FROM sf_instance"
            + " WHERE uid = ?) + (SELECT count(*) FROM sf_step WHERE instance_uid = ?)")) {
      p.setString(1, uid);
      p.setString(2, uid);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }
}
