package dev.steadfast.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.agent.Agent;
import dev.steadfast.agent.AgentHandle;
import dev.steadfast.agent.AgentWorkflow;
import dev.steadfast.agent.AgentWorkflowStep;
import dev.steadfast.agent.Agents;
import dev.steadfast.agent.DefaultProgress;
import dev.steadfast.agent.RunWorkflowOptions;
import dev.steadfast.agent.WorkflowPage;
import dev.steadfast.agent.WorkflowQuery;
import dev.steadfast.agent.runtime.AgentRuntime;
import dev.steadfast.agent.runtime.Retry;
import dev.steadfast.agent.store.AgentPersistence;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.engine.Databases;
import dev.steadfast.workflow.engine.EngineHarness;
import dev.steadfast.workflow.engine.LocalTransactor;
import dev.steadfast.workflow.engine.ScheduledWakeUpTimer;
import jakarta.persistence.EntityManagerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Agents running workflows, timed (prints, asserts nothing): runWorkflow until the workflow's
 * first step runs, and a getWorkflows page of 100 among 1,000 tracked workflows, on an H2 file
 * database (WRITE_DELAY=0, as the server) and on the embedded PostgreSQL, each behind HikariCP.
 *
 * <pre>
 * mvn -q -B test-compile exec:java -Dexec.mainClass=dev.steadfast.bench.AgentWorkflowBenchmark \
 *     -Dexec.classpathScope=test
 * </pre>
 */
public final class AgentWorkflowBenchmark {
  static final Map<String, Long> FIRST_STEP = new ConcurrentHashMap<>();

  public static class BenchAgent extends Agent<Object> {}

  @Workflow(name = "bench-first-step")
  public static class FirstStep extends AgentWorkflow<BenchAgent, Map<String, Object>,
      DefaultProgress, Integer> {
    @Override
    public Integer run(WorkflowEvent<Map<String, Object>> event,
        AgentWorkflowStep<BenchAgent, DefaultProgress> step) {
      return step.run("first", Integer.class, () -> {
        FIRST_STEP.putIfAbsent(step.instanceId(), System.nanoTime());
        return 1;
      });
    }
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of("target", "bench-agent-h2").toAbsolutePath();
    Files.createDirectories(dir);
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:file:" + dir.resolve("b" + System.nanoTime()) + ";WRITE_DELAY=0");
    h2.setUser("sa");
    run("H2 file, WRITE_DELAY=0", pool(h2));
    run("PostgreSQL (embedded, default settings)", pool(Databases.postgresWithDefaults()));
    System.exit(0);
  }

  /** 200 pages of 100, the last 150 timed (ms). */
  static List<Double> pages(AgentHandle<BenchAgent> a) {
    List<Double> page = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      long t0 = System.nanoTime();
      WorkflowPage p = a.call(x -> x.getWorkflows(WorkflowQuery.all().limit(100)));
      if (p.workflows().size() != 100 || p.total() != 1_000) {
        throw new IllegalStateException("page of " + p.workflows().size() + ", total " + p.total());
      }
      if (i >= 50) {
        page.add((System.nanoTime() - t0) / 1e6);
      }
    }
    return page;
  }

  static HikariDataSource pool(DataSource ds) {
    HikariConfig hc = new HikariConfig();
    hc.setDataSource(ds);
    hc.setMaximumPoolSize(16);
    return new HikariDataSource(hc);
  }

  static void run(String db, HikariDataSource ds) throws Exception {
    FIRST_STEP.clear();
    EngineHarness engine = new EngineHarness(ds, EngineHarness.fastConfig("bench"))
        .register(FirstStep.class, FirstStep::new).start();
    EntityManagerFactory emf = AgentPersistence.create(ds);
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    List<Class<? extends Agent<?>>> classes = List.of(BenchAgent.class);
    AgentRuntime agents = new AgentRuntime(classes, t -> new BenchAgent(), new LocalTransactor(emf),
        new ScheduledWakeUpTimer(scheduler, Clock.systemUTC()), Executors.newCachedThreadPool(),
        scheduler, Clock.systemUTC(), Retry.DEFAULT);
    agents.attachWorkflows(engine.engine);
    agents.start(0, 0);
    try {
      AgentHandle<BenchAgent> a = Agents.get(BenchAgent.class, "bench");
      List<Double> firstStep = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        String id = "b" + i;
        long t0 = System.nanoTime();
        a.run(x -> x.runWorkflow("bench-first-step", Map.of(), RunWorkflowOptions.withId(id)));
        Long t1;
        while ((t1 = FIRST_STEP.get(id)) == null) {
          Thread.onSpinWait();
        }
        if (i >= 100) { // the first 100 warm up
          firstStep.add((t1 - t0) / 1e6);
        }
      }
      // the runs still finishing (their completion steps hold the agent) are not measured
      while (a.call(x -> x.getWorkflows(WorkflowQuery.all().status("complete").limit(1)))
          .total() < 1_000) {
        Thread.sleep(50);
      }
      List<Double> fresh = pages(a);
      // a table filled a moment ago has no planner statistics yet; PostgreSQL's autovacuum
      // gathers them within a minute, and until then it may join sf_instance through the wrong
      // index. The steady state is the figure that matters; the fresh one is printed beside it.
      try (java.sql.Connection c = ds.getConnection()) {
        c.createStatement().execute("ANALYZE");
      }
      List<Double> page = pages(a);
      System.out.printf("%s: runWorkflow -> first step running p50 %.2f ms (p90 %.2f);"
          + " getWorkflows page of 100 among 1,000 p50 %.2f ms (p90 %.2f; tables just filled,"
          + " before ANALYZE: p50 %.2f ms)%n", db,
          pct(firstStep, 50), pct(firstStep, 90), pct(page, 50), pct(page, 90), pct(fresh, 50));
    } finally {
      agents.stop();
      engine.close();
      scheduler.shutdownNow();
      emf.close();
      ds.close();
    }
  }

  static double pct(List<Double> xs, int p) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(Math.min(s.size() - 1, s.size() * p / 100));
  }
}
