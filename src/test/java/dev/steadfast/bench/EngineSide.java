package dev.steadfast.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.bench.Rounds.Figures;
import dev.steadfast.examples.ApprovalWorkflow;
import dev.steadfast.examples.ProcessingWorkflow;
import dev.steadfast.examples.ResilientCallWorkflow;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.engine.EngineConfig;
import dev.steadfast.workflow.engine.EngineHarness;
import dev.steadfast.workflow.engine.WorkflowEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The API benchmark's operations called on the engine directly, in this JVM: the same example
 * workflows, an H2 file database with the server's URL options, a pool of the server's size, no
 * HTTP, JTA or JAX-RS. What {@link ApiBenchmark} prints next to the server's figures.
 */
final class EngineSide {
  private EngineSide() {}

  interface Op {
    void run(int client, int i);
  }

  /** Milliseconds per step of each 1,000-step instance (see ApiBenchmark#bigInstance). */
  static final List<Double> perStep = new ArrayList<>();

  static Map<String, Figures> measure(int rounds, double scale, String only, boolean postgres)
      throws Exception {
    Path dir = Path.of("target", "bench-api-engine").toAbsolutePath();
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(dir);
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:file:" + dir.resolve("db") + ";AUTO_SERVER=FALSE;WRITE_DELAY=0");
    h2.setUser("sa");
    HikariConfig hc = new HikariConfig();
    hc.setDataSource(postgres ? dev.steadfast.workflow.engine.Databases.postgresWithDefaults()
        : h2);
    hc.setMaximumPoolSize(64);
    try (HikariDataSource pool = new HikariDataSource(hc);
        EngineHarness h = new EngineHarness(pool, EngineConfig.defaults("bench-engine"))) {
      h.register(ApprovalWorkflow.class, ApprovalWorkflow::new)
          .register(ResilientCallWorkflow.class, ResilientCallWorkflow::new)
          .register(ProcessingWorkflow.class, ProcessingWorkflow::new).start();
      WorkflowEngine e = h.engine;
      WorkflowClient<Object> approval = e.client("approval");
      WorkflowClient<Object> resilient = e.client("resilient-call");
      WorkflowClient<Object> processing = e.client("processing");
      h.await(resilient.create("one", Map.of("failures", 0, "refuse", false)), Status.COMPLETE);
      List<String> items = new ArrayList<>();
      for (int i = 0; i < 998; i++) {
        items.add("i" + i);
      }
      perStep.clear();
      for (int k = 0; k < ApiBenchmark.BIG_RUNS; k++) {
        h.await(processing.create("big" + k, Map.of("items", items, "millisPerItem", 0)),
            Status.COMPLETE, Duration.ofMinutes(5));
        var r = e.view("processing", "big" + k).instance();
        perStep.add((double) (r.endedAt() - r.startedAt()) / e.view("processing", "big" + k)
            .steps().size());
      }
      AtomicInteger ids = new AtomicInteger();
      ConcurrentLinkedQueue<String> waiting = new ConcurrentLinkedQueue<>();
      Op create = (c, i) -> {
        String id = "a" + ids.incrementAndGet();
        approval.create(id, Map.of("title", "t"));
        waiting.add(id);
      };
      Op event = (c, i) -> approval.get(waiting.poll()).sendEvent("approval",
          Map.of("approved", true, "reason", "ok"));
      Map<String, Figures> f = new LinkedHashMap<>();
      Ops ops = (name, clients, calls, op) -> {
        if (name.contains(only)) {
          f.put(name, Rounds.measure(rounds, clients, Math.max(10, (int) (calls * scale)),
              n -> i -> op.run(n, i), Rounds.Cpu.self()));
        }
      };
      ops.run("list workflows", 1, 2_000, (c, i) -> e.workflows());
      ops.run("details, 1-step instance", 1, 2_000, (c, i) -> e.view("resilient-call", "one"));
      ops.run("details, 1,000-step instance", 1, 100, (c, i) -> e.view("processing", "big" + (ApiBenchmark.BIG_RUNS - 1)));
      ops.run("details, 1-step, 16 clients", 16, 500, (c, i) -> e.view("resilient-call", "one"));
      ops.run("create, 1 client", 1, 1_000, create);
      ops.run("create, 16 clients", 16, 250, create);
      ops.run("sendEvent, 1 client", 1, 500, event);
      ops.run("sendEvent, 16 clients", 16, 100, event);
      return f;
    }
  }

  /** Measures one operation into the table, unless --only leaves it out. */
  interface Ops {
    void run(String name, int clients, int calls, Op op) throws Exception;
  }

}
