package dev.steadfast.workflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.TestWorkflows.LongParams;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the dispatcher drains more due instances than it has workers. */
class DispatcherBacklogTest {
  /** Looks for the next due time (its first query: the earliest due time nobody holds). */
  final AtomicInteger nextWakeQueries = new AtomicInteger();
  /** Statements that look for due instances. */
  final AtomicInteger dueQueries = new AtomicInteger();
  JdbcConnectionPool pool;
  EngineHarness h;

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
    if (pool != null) {
      pool.dispose();
    }
  }

  @Test
  void aBacklogIsDrainedWithoutLookingForTheNextDueTimeAtEveryPoll() {
    pool = (JdbcConnectionPool) Databases.h2();
    h = new EngineHarness(counting(pool), EngineHarness.fastConfig("server-a").withWorkers(2))
        .register(TestWorkflows.LongWorkflow.class, TestWorkflows.LongWorkflow::new).start();
    WorkflowClient<LongParams> client = h.engine.client("long");
    List<WorkflowClient.NewInstance<LongParams>> batch = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      batch.add(new WorkflowClient.NewInstance<>(null, new LongParams(5, 1)));
    }
    List<WorkflowInstance> made = client.createBatch(batch);
    // counted from here: while the batch was being inserted a poll could find less than a full
    // backlog and rightly look for the next due time (many such polls on a loaded machine)
    int dueBefore = dueQueries.get();
    int nextBefore = nextWakeQueries.get();
    for (WorkflowInstance i : made) {
      h.await(i, Status.COMPLETE, Duration.ofSeconds(60));
    }
    int polls = dueQueries.get() - dueBefore;
    int nextWakes = nextWakeQueries.get() - nextBefore;
    // two workers, 60 instances: many polls, each taking what the last turns freed; the next
    // due time only matters once nothing more is due (the end, the timer's polls): before,
    // nearly every poll looked for it
    assertTrue(polls >= 10, "polls " + polls);
    assertTrue(nextWakes * 4 <= polls, nextWakes + " looks for the next due time in " + polls
        + " polls of a backlog");
    assertEquals(60, made.size());
  }

  /** The pool, with the dispatcher's two queries counted. */
  DataSource counting(DataSource pool) {
    return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {DataSource.class}, (p, m, args) -> {
          Object r = invoke(pool, m, args);
          return r instanceof Connection c ? connection(c) : r;
        });
  }

  private Connection connection(Connection c) {
    return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {Connection.class}, (p, m, args) -> {
          if (m.getName().equals("prepareStatement") && args != null
              && args[0] instanceof String sql) {
            String s = sql.toLowerCase(Locale.ROOT);
            if (s.contains("min(") && s.contains("due_at") && !s.contains("lease_until")) {
              nextWakeQueries.incrementAndGet();
            } else if (s.startsWith("select uid from (")) {
              dueQueries.incrementAndGet();
            }
          }
          if (m.getName().equals("unwrap") && args != null && args[0] == Connection.class) {
            return p;
          }
          Object r = invoke(c, m, args);
          return r;
        });
  }

  private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args)
      throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
