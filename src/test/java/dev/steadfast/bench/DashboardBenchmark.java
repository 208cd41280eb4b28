package dev.steadfast.bench;

import dev.steadfast.workflow.InstanceEventStream;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.Databases;
import dev.steadfast.workflow.engine.EngineHarness;
import dev.steadfast.workflow.engine.TestWorkflows;
import dev.steadfast.workflow.store.InstanceRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Issue 9's server-side figures, on the engine without a server (the REST endpoints call the
 * same engine methods): the instance list page with 100,000 instances of one workflow in the
 * database (the calls the dashboard's instances page makes: a page of rows and the counts per
 * status), the metrics scrape over them, and the heap held per open event-stream subscription
 * with 1,000 subscriptions (the stream objects and their channels; the HTTP connection of an
 * SSE client comes on top, and is the container's).
 *
 * <pre>
 * mvn -q -B test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.steadfast.bench.DashboardBenchmark [-Dexec.args="h2|postgres|both"]
 * </pre>
 */
public final class DashboardBenchmark {
  private static final int INSTANCES = 100_000;
  private static final int SUBSCRIPTIONS = 1_000;

  private DashboardBenchmark() {}

  public static void main(String[] args) throws Exception {
    String which = args.length > 0 ? args[0] : "both";
    if (!which.equals("postgres")) {
      run("H2 (in memory)", Databases.h2());
    }
    if (!which.equals("h2")) {
      run("PostgreSQL 15 (embedded)", Databases.postgresWithDefaults());
    }
    System.exit(0);
  }

  private static void run(String name, DataSource db) throws Exception {
    System.out.println("== " + name);
    // instances ended up to 100 days ago are kept: the retention sweep deleting them while the
    // calls are timed (the default 30 days) would measure the sweep, not the page
    try (EngineHarness h = new EngineHarness(db, EngineHarness.fastConfig("bench")
        .withRetention(java.time.Duration.ofDays(3650)))
        .register(TestWorkflows.ApprovalWorkflow.class, TestWorkflows.ApprovalWorkflow::new)
        .start()) {
      // first, on an empty database: nothing else on the heap changes while it is measured
      subscriptions(h);
      if (Boolean.getBoolean("bench.sseOnly")) {
        return;
      }
      long t0 = System.nanoTime();
      fill(db, INSTANCES);
      System.out.printf("inserted %,d instances in %d ms%n", INSTANCES,
          (System.nanoTime() - t0) / 1_000_000);
      analyze(db);
      List<InstanceRecord> first = h.engine.listInstances("approval", null, null, null, false,
          null, null, 26);
      InstanceRecord last = first.get(24);
      // 40 pages in: the cursor of a page well past the first
      List<InstanceRecord> deep = first;
      for (int p = 0; p < 40; p++) {
        InstanceRecord l = deep.get(24);
        deep = h.engine.listInstances("approval", null, null, null, false, l.createdAt(),
            l.uid(), 26);
      }
      InstanceRecord deepLast = deep.get(24);
      time("list page 1 (25 newest)", () -> h.engine.listInstances("approval", null, null,
          null, false, null, null, 26));
      time("list page 2 (cursor)", () -> h.engine.listInstances("approval", null, null, null,
          false, last.createdAt(), last.uid(), 26));
      time("list page 42 (cursor)", () -> h.engine.listInstances("approval", null, null, null,
          false, deepLast.createdAt(), deepLast.uid(), 26));
      time("list page 1, status=errored", () -> h.engine.listInstances("approval",
          List.of("errored"), null, null, false, null, null, 26));
      time("counts per status (GET /workflows/{name})", () -> h.engine.workflow("approval"));
      time("metrics scrape", () -> h.engine.metrics().scrape());
      if (vacuum(db)) {
        // as autovacuum leaves the table soon after a bulk insert (its insert threshold): the
        // visibility map set, so the counts are an index-only scan of (workflow_name, status)
        time("counts per status, after VACUUM", () -> h.engine.workflow("approval"));
        time("list page 1, after VACUUM", () -> h.engine.listInstances("approval", null, null,
            null, false, null, null, 26));
        time("metrics scrape, after VACUUM", () -> h.engine.metrics().scrape());
      }
    }
  }

  private static void subscriptions(EngineHarness h) throws Exception {
    List<WorkflowInstance> waiting = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      waiting.add(h.engine.<TestWorkflows.ApprovalParams>client("approval").create(
          "sse-" + i + "-" + UUID.randomUUID(), new TestWorkflows.ApprovalParams(3_600_000)));
    }
    for (WorkflowInstance w : waiting) {
      h.await(w, Status.WAITING);
    }
    // one subscription per instance first: the channels and the engine's first reads are set up
    for (WorkflowInstance w : waiting) {
      try (InstanceEventStream s = w.subscribe(0, e -> true)) {
        s.next(java.time.Duration.ofMillis(200));
      }
    }
    long before = usedAfterGc();
    List<InstanceEventStream> streams = new ArrayList<>();
    for (int i = 0; i < SUBSCRIPTIONS; i++) {
      streams.add(waiting.get(i % waiting.size()).subscribe(0, e -> true));
    }
    // every stream has read its history and is live
    for (InstanceEventStream s : streams) {
      while (s.next(java.time.Duration.ofMillis(1)) != null) {
        // drain the replay, as an SSE response would
      }
    }
    long after = usedAfterGc();
    System.out.printf("%,d subscriptions on %d instances: %,d bytes of heap each (%,d KiB in"
        + " all)%n", SUBSCRIPTIONS, waiting.size(), (after - before) / SUBSCRIPTIONS,
        (after - before) / 1024);
    for (InstanceEventStream s : streams) {
      s.close();
    }
  }

  /** Used heap once full collections stop freeing anything. */
  private static long usedAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      Thread.sleep(200);
      long used = rt.totalMemory() - rt.freeMemory();
      if (Math.abs(last - used) < 64 * 1024) {
        return used;
      }
      last = used;
    }
    return last;
  }

  private static void time(String what, Supplier<?> call) {
    for (int i = 0; i < 20; i++) {
      call.get(); // warm-up
    }
    double[] ms = new double[100];
    for (int i = 0; i < ms.length; i++) {
      long t = System.nanoTime();
      call.get();
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    Arrays.sort(ms);
    System.out.printf("%-45s p50 %7.2f ms   p90 %7.2f ms   max %7.2f ms%n", what, ms[50], ms[90],
        ms[99]);
  }

  /** 100,000 finished instances of "approval" over 100 days: 90% complete, 5% errored, 5% terminated. */
  private static void fill(DataSource db, int n) throws Exception {
    long start = System.currentTimeMillis() - 100L * 86_400_000L;
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement p = c.prepareStatement("INSERT INTO sf_instance (uid, workflow_name,"
          + " instance_id, status, params, trigger_source, version_id, created_at, modified_at,"
          + " started_at, ended_at, gen, signals, epoch) VALUES (?, 'approval', ?, ?, '{}',"
          + " 'api', 'v1', ?, ?, ?, ?, 1, 0, 0)")) {
        for (int i = 0; i < n; i++) {
          long t = start + i * 86L;
          p.setString(1, UUID.randomUUID().toString());
          p.setString(2, "bulk-" + i);
          p.setString(3, i % 20 == 0 ? "errored" : i % 20 == 1 ? "terminated" : "complete");
          p.setLong(4, t);
          p.setLong(5, t + 50);
          p.setLong(6, t + 1);
          p.setLong(7, t + 50);
          p.addBatch();
          if (i % 1000 == 999) {
            p.executeBatch();
            c.commit();
          }
        }
        p.executeBatch();
        c.commit();
      }
    }
  }

  /** VACUUM ANALYZE of the instances on PostgreSQL; false elsewhere. */
  private static boolean vacuum(DataSource db) throws Exception {
    try (Connection c = db.getConnection()) {
      if (!c.getMetaData().getDatabaseProductName().contains("PostgreSQL")) {
        return false;
      }
      c.setAutoCommit(true);
      c.createStatement().execute("VACUUM (ANALYZE) sf_instance");
      return true;
    }
  }

  private static void analyze(DataSource db) throws Exception {
    try (Connection c = db.getConnection()) {
      String product = c.getMetaData().getDatabaseProductName();
      if (product.contains("PostgreSQL")) {
        c.createStatement().execute("ANALYZE");
      }
    }
  }
}
