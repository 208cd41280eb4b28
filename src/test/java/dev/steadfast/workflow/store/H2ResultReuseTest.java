package dev.steadfast.workflow.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

/**
 * H2 2.2.224 (the version Payara Micro ships, whose copy wins over ours) marks the tables of a
 * transaction as changed just before it commits; a query that runs in between caches its result,
 * and the same statement on the same pooled session returns that stale result until the table
 * changes again. A journal read then showed an instance completed without its last step (and the
 * event stream lost that step's events for good). The engine turns H2's result reuse off.
 */
class H2ResultReuseTest {
  private static final int WRITES = 5_000;

  @Test
  void aJournalReadNeverShowsTheInstanceAheadOfItsSteps() throws Exception {
    // a plain pool that keeps its sessions (as the app server's does), with the URL a user of the
    // engine might give it: the engine's start sets what it needs
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    config.setMaximumPoolSize(4);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      Migrator.migrate(pool);
      String uid = UUID.randomUUID().toString();
      try (Connection c = pool.getConnection(); PreparedStatement p = c.prepareStatement(
          "INSERT INTO sf_instance (uid, workflow_name, instance_id, status, trigger_source,"
              + " version_id, created_at, modified_at, gen, signals)"
              + " VALUES (?, 'w', 'i', 'running', 'api', 'v', 0, 0, 1, 0)")) {
        p.setString(1, uid);
        p.executeUpdate();
      }
      try (Connection c = pool.getConnection(); PreparedStatement p = c.prepareStatement(
          "INSERT INTO sf_step (instance_uid, gen, step_key, seq, kind, name, occurrence, state,"
              + " attempts, failures, started_at) VALUES (?, 1, 'do:n-1', 1, 'do', 'n', 1,"
              + " 'running', 1, 0, 0)")) {
        p.setString(1, uid);
        p.executeUpdate();
      }
      ReadQueries reads = new ReadQueries(pool);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong readsDone = new AtomicLong();
      AtomicReference<String> stale = new AtomicReference<>();
      Thread reader = new Thread(() -> {
        while (!stop.get() && stale.get() == null) {
          ReadQueries.Journal j = reads.journal("w", "i");
          // the instance row is read first: the step's end it shows was committed before it
          long step = j.steps().isEmpty() || j.steps().get(0).endedAt() == null ? 0
              : j.steps().get(0).endedAt();
          if (step < j.instance().modifiedAt()) {
            stale.set("the instance shows write " + j.instance().modifiedAt() + ", its step"
                + " write " + step);
          }
          readsDone.incrementAndGet();
        }
      });
      reader.start();
      try (Connection c = pool.getConnection();
          PreparedStatement step = c.prepareStatement(
              "UPDATE sf_step SET ended_at = ? WHERE instance_uid = ?");
          PreparedStatement instance = c.prepareStatement(
              "UPDATE sf_instance SET modified_at = ? WHERE uid = ?")) {
        for (int k = 1; k <= WRITES && stale.get() == null; k++) {
          c.setAutoCommit(false);
          step.setLong(1, k);
          step.setString(2, uid);
          step.executeUpdate();
          c.commit();
          c.setAutoCommit(true);
          instance.setLong(1, k);
          instance.setString(2, uid);
          instance.executeUpdate();
          // as after an instance's last write: nothing changes sf_step for a while
          LockSupport.parkNanos(100_000);
        }
      } finally {
        stop.set(true);
        reader.join();
      }
      assertEquals(null, stale.get());
      assertTrue(readsDone.get() > 100, "the reader ran alongside: " + readsDone.get() + " reads");
    }
  }

  @Test
  void theUrlsTheEngineMakesTurnResultReuseOffUnlessTheyChooseThemselves() {
    assertEquals("jdbc:h2:file:/d/db;WRITE_DELAY=0;OPTIMIZE_REUSE_RESULTS=FALSE",
        H2Settings.url("jdbc:h2:file:/d/db;WRITE_DELAY=0"));
    assertEquals("jdbc:h2:mem:x;optimize_reuse_results=TRUE",
        H2Settings.url("jdbc:h2:mem:x;optimize_reuse_results=TRUE"));
    assertEquals("jdbc:postgresql://h/db", H2Settings.url("jdbc:postgresql://h/db"));
  }
}
