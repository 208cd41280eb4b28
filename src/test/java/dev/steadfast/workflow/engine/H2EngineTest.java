package dev.steadfast.workflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.TestWorkflows.LongParams;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;

/** The engine semantics on H2. */
class H2EngineTest extends EngineContract {
  @Override
  DataSource newDatabase() {
    return Databases.h2();
  }

  /**
   * Terminating instances while their steps run interrupts only the step code: an interrupt that
   * reached the engine's own database work would close an H2 file database for good.
   */
  @Test
  void terminatingRunningStepsLeavesAnH2FileDatabaseWorking() {
    h.close();
    Path file = Path.of("target", "h2-interrupts", UUID.randomUUID().toString()).toAbsolutePath();
    JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + file
        + ";WRITE_DELAY=0", "sa", "");
    db = pool;
    h = newHarness("server-a").start();
    List<WorkflowInstance> running = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      running.add(client("long").create(id(), new LongParams(30, 50)));
    }
    EngineHarness.sleep(300);
    for (WorkflowInstance i : running) {
      i.terminate();
      assertEquals(Status.TERMINATED, i.status().status());
    }
    WorkflowInstance after = client("long").create(id(), new LongParams(10, 3));
    assertEquals(3, h.await(after, Status.COMPLETE, Duration.ofSeconds(30)).output(Integer.class));
  }
}
