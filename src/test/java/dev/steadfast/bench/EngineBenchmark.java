package dev.steadfast.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.WorkflowStep;
import dev.steadfast.workflow.engine.EngineConfig;
import dev.steadfast.workflow.engine.EngineEvent;
import dev.steadfast.workflow.engine.LocalTransactor;
import dev.steadfast.workflow.engine.ScheduledWakeUpTimer;
import dev.steadfast.workflow.engine.WorkflowDefinition;
import dev.steadfast.workflow.engine.WorkflowEngine;
import dev.steadfast.workflow.engine.WorkflowRegistry;
import dev.steadfast.workflow.store.AttemptRecord;
import dev.steadfast.workflow.store.JournalWriter;
import dev.steadfast.workflow.store.LocalPersistence;
import dev.steadfast.workflow.store.StepRecord;
import dev.steadfast.workflow.store.StepState;
import dev.steadfast.workflow.store.WorkflowStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.persistence.EntityManagerFactory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Measures the engine on H2 (file database) and a real PostgreSQL (embedded, fsync and
 * synchronous_commit on), each behind a HikariCP pool. Not a test: it asserts nothing, it prints.
 *
 * <pre>
 * mvn -q -B test-compile exec:java -Dexec.mainClass=dev.steadfast.bench.EngineBenchmark \
 *     -Dexec.classpathScope=test -Dexec.args="--db both"
 * </pre>
 *
 * Options: {@code --db h2|postgres|both}, {@code --workers N} (engine workers, 64),
 * {@code --pool N} (connections, 32), {@code --throughput N} (3-step workflows, 1000),
 * {@code --sleepers N} (10000), {@code --creators N} (client threads creating, 8),
 * {@code --only perstep,commits,throughput,batch,wake,events,sleepers} (a subset),
 * {@code --profile} (print where transaction time goes), {@code --journal-writers N} (0: auto),
 * {@code --async-commit} (PostgreSQL: synchronous_commit=off on the engine's connections),
 * {@code --out FILE}.
 */
public final class EngineBenchmark {

  // ------------------------------------------------------------------ the measured workflows

  /** Records, per instance, when interesting things happened (set by the workflows below). */
  static final Map<String, Long> MARKS = new ConcurrentHashMap<>();

  /** n no-op steps in a row. */
  @Workflow(name = "bench-steps")
  public static class Steps extends WorkflowEntrypoint<Integer, Integer> {
    @Override
    public Integer run(WorkflowEvent<Integer> event, WorkflowStep step) {
      int n = event.payload();
      for (int i = 0; i < n; i++) {
        step.run("noop", () -> null);
      }
      return n;
    }
  }

  /** Sleeps an hour. */
  @Workflow(name = "bench-sleeper")
  public static class Sleeper extends WorkflowEntrypoint<Integer, Integer> {
    @Override
    public Integer run(WorkflowEvent<Integer> event, WorkflowStep step) {
      step.sleep("nap", Duration.ofHours(1));
      return 0;
    }
  }

  /** Sleeps for a month: the million sleepers. */
  @Workflow(name = "bench-month")
  public static class MonthSleeper extends WorkflowEntrypoint<Integer, Integer> {
    @Override
    public Integer run(WorkflowEvent<Integer> event, WorkflowStep step) {
      step.sleep("a month", Duration.ofDays(30));
      return 0;
    }
  }

  /** Sleeps until the epoch millisecond in its payload (the same for many); records the lateness. */
  @Workflow(name = "bench-due")
  public static class DueAt extends WorkflowEntrypoint<Long, Long> {
    @Override
    public Long run(WorkflowEvent<Long> event, WorkflowStep step) {
      step.sleepUntil("until", Instant.ofEpochMilli(event.payload()));
      long late = System.currentTimeMillis() - event.payload();
      MARKS.putIfAbsent(event.instanceId(), late);
      return late;
    }
  }

  /** Sleeps until a due time recorded in a step (now + payload ms); records the lateness. */
  @Workflow(name = "bench-wake")
  public static class Wake extends WorkflowEntrypoint<Integer, Long> {
    @Override
    public Long run(WorkflowEvent<Integer> event, WorkflowStep step) {
      long due = step.run("due", Long.class, () -> System.currentTimeMillis() + event.payload());
      step.sleepUntil("nap", Instant.ofEpochMilli(due));
      long late = System.currentTimeMillis() - due;
      MARKS.putIfAbsent(event.instanceId(), late);
      return late;
    }
  }

  /** Waits for an event "go"; records when it resumed with it. */
  @Workflow(name = "bench-event")
  public static class Event extends WorkflowEntrypoint<Integer, Integer> {
    @Override
    public Integer run(WorkflowEvent<Integer> event, WorkflowStep step) {
      step.waitForEvent("go", "go", Duration.ofHours(1), Object.class);
      MARKS.putIfAbsent(event.instanceId(), System.nanoTime());
      return 0;
    }
  }

  // ------------------------------------------------------------------ options

  private String db = "both";
  private int workers = 64;
  private int pool = 32;
  private int throughput = 1000;
  private int sleepers = 10_000;
  private int million = 1_000_000;
  private int dueAtOnce = 10_000;
  private int creators = 8;
  private List<String> only = List.of();
  private boolean profile;
  private boolean asyncCommit;
  private int journalWriters = 0;
  private Path out = Paths.get("target", "bench-results.txt");

  public static void main(String[] args) throws Exception {
    Logger.getLogger("").setLevel(Level.WARNING);
    Logger.getLogger("org.hibernate").setLevel(Level.WARNING);
    Logger.getLogger("io.zonky").setLevel(Level.WARNING);
    EngineBenchmark b = new EngineBenchmark();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--db" -> b.db = args[++i];
        case "--workers" -> b.workers = Integer.parseInt(args[++i]);
        case "--pool" -> b.pool = Integer.parseInt(args[++i]);
        case "--throughput" -> b.throughput = Integer.parseInt(args[++i]);
        case "--sleepers" -> b.sleepers = Integer.parseInt(args[++i]);
        case "--million" -> b.million = Integer.parseInt(args[++i]);
        case "--due" -> b.dueAtOnce = Integer.parseInt(args[++i]);
        case "--creators" -> b.creators = Integer.parseInt(args[++i]);
        case "--profile" -> b.profile = true;
        case "--async-commit" -> b.asyncCommit = true;
        case "--journal-writers" -> b.journalWriters = Integer.parseInt(args[++i]);
        case "--only" -> b.only = List.of(args[++i].split(","));
        case "--out" -> b.out = Paths.get(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    b.run();
  }

  private void run() throws Exception {
    List<String> dbs = switch (db) {
      case "both" -> List.of("h2", "postgres");
      case "h2", "postgres" -> List.of(db);
      default -> throw new IllegalArgumentException("--db h2|postgres|both");
    };
    Map<String, Map<String, String>> results = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    for (String d : dbs) {
      log("==== " + d + " ====");
      try (Bench bench = d.equals("h2") ? Bench.h2(this) : Bench.postgres(this)) {
        notes.add(d + ": " + bench.describe);
        results.put(d, bench.all());
        if (profile) {
          notes.add(bench.profileText);
        }
      }
    }
    String table = table(results, notes);
    System.out.println();
    System.out.println(table);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, table);
    System.out.println("written to " + out);
  }

  private String table(Map<String, Map<String, String>> results, List<String> notes) {
    StringBuilder sb = new StringBuilder();
    sb.append("Steadfast engine benchmark — ").append(ZonedDateTime.now().withNano(0)).append('\n');
    sb.append("machine: ").append(machine()).append('\n');
    sb.append("java: ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.runtime.version")).append(", max heap ")
        .append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB\n");
    sb.append("engine: ").append(workers).append(" workers, journal writers ")
        .append(journalWriters == 0 ? "auto (1 on H2, 2 on PostgreSQL)" : journalWriters)
        .append("; pool: HikariCP ").append(pool)
        .append(" connections; creators: ").append(creators).append(" client threads\n");
    for (String n : notes) {
      sb.append(n).append('\n');
    }
    List<String> keys = new ArrayList<>();
    results.values().forEach(m -> m.keySet().forEach(k -> {
      if (!keys.contains(k)) {
        keys.add(k);
      }
    }));
    List<String> cols = new ArrayList<>(results.keySet());
    int w0 = Math.max(10, keys.stream().mapToInt(String::length).max().orElse(10));
    int wc = 22;
    sb.append('\n').append(pad("metric", w0));
    for (String c : cols) {
      sb.append(" | ").append(pad(c.equals("h2") ? "H2 (file)" : "PostgreSQL", wc));
    }
    sb.append(" | target / peer\n");
    sb.append("-".repeat(w0));
    for (int i = 0; i < cols.size(); i++) {
      sb.append("-+-").append("-".repeat(wc));
    }
    sb.append("-+-").append("-".repeat(30)).append('\n');
    for (String k : keys) {
      sb.append(pad(k, w0));
      for (String c : cols) {
        sb.append(" | ").append(pad(results.get(c).getOrDefault(k, ""), wc));
      }
      sb.append(" | ").append(TARGETS.getOrDefault(k, "")).append('\n');
    }
    return sb.toString();
  }

  static final Map<String, String> TARGETS = Map.ofEntries(
      Map.entry("0. floor: one step's journal write alone, median",
          "the database's own cost: 1 round trip + 1 commit"),
      Map.entry("1c. the engine's share: between steps - floor",
          "what Steadfast adds to the database's own cost"),
      Map.entry("1. ms per no-op step (100-step wf, median)",
          "<= 0.25 ms on PG (DBOS 0.50)"),
      Map.entry("2. 3-step workflows/s (1,000 concurrent)", ">= 1,400 (DBOS 671)"),
      Map.entry("load average (1 min) at start", "2 cores: > 2 means a busy machine"),
      Map.entry("3. heap per sleeping instance", "< 1 KB"),
      Map.entry("3. live threads before -> after", "no thread per instance"),
      Map.entry("3. new workflow latency while sleeping", "starts at once"),
      Map.entry("4. wake-up lateness p50 / p99 (1 s sleep)", "p99 < 100 ms"),
      Map.entry("6. commits per step (100-step wf)", "1 per completed step"),
      Map.entry("6. SELECTs per step (100-step wf)", "0 (no history re-read)"));

  private static String pad(String s, int w) {
    return s.length() >= w ? s : s + " ".repeat(w - s.length());
  }

  private static String machine() {
    String cpu = "?";
    try (Stream<String> lines = Files.lines(Paths.get("/proc/cpuinfo"))) {
      cpu = lines.filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
    } catch (IOException ignored) {
      // not Linux
    }
    long mem = ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
    return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), "
        + (mem >> 30) + " GiB RAM, " + System.getProperty("os.name") + " "
        + System.getProperty("os.version");
  }

  static void log(String s) {
    System.out.println("[bench " + java.time.LocalTime.now().withNano(0) + "] " + s);
  }

  // ------------------------------------------------------------------ one database

  /** One engine on one database, with its counters and completion tracking. */
  static final class Bench implements AutoCloseable {
    private final EngineBenchmark o;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final CountingDataSource ds;
    private final EntityManagerFactory emf;
    private final CountingTransactor tx;
    private final ExecutorService turns;
    private final ExecutorService branches;
    private final ScheduledThreadPoolExecutor scheduler;
    private WorkflowEngine engine;
    private final WorkflowRegistry registry;
    private final EngineConfig config;
    private final boolean postgres;
    String describe;
    String profileText = "";

    /** instanceId -> nanoTime of WORKFLOW_SUCCESS / FAILURE. */
    final Map<String, Long> done = new ConcurrentHashMap<>();
    final AtomicInteger failures = new AtomicInteger();
    volatile CountDownLatch latch = new CountDownLatch(0);
    /** For the 100-step runs: instanceId -> {first, last} STEP_SUCCESS nanoTime. */
    final Map<String, long[]> stepTimes = new ConcurrentHashMap<>();
    volatile boolean trackSteps;
    final AtomicInteger sleepStarts = new AtomicInteger();

    private Bench(EngineBenchmark o, DataSource pooled, boolean postgres, String describe) {
      this.o = o;
      this.postgres = postgres;
      this.describe = describe;
      this.ds = new CountingDataSource(pooled);
      this.emf = LocalPersistence.create(ds);
      this.tx = new CountingTransactor(new LocalTransactor(emf));
      registry = new WorkflowRegistry();
      registry.register(WorkflowDefinition.of(Steps.class, Steps::new));
      registry.register(WorkflowDefinition.of(Sleeper.class, Sleeper::new));
      registry.register(WorkflowDefinition.of(MonthSleeper.class, MonthSleeper::new));
      registry.register(WorkflowDefinition.of(DueAt.class, DueAt::new));
      registry.register(WorkflowDefinition.of(Wake.class, Wake::new));
      registry.register(WorkflowDefinition.of(Event.class, Event::new));
      config = EngineConfig.defaults("bench-" + (postgres ? "pg" : "h2"))
          .withWorkers(o.workers).withJournalWriters(o.journalWriters);
      turns = Executors.newFixedThreadPool(o.workers, daemon("sf-turn"));
      branches = Executors.newCachedThreadPool(daemon("sf-branch"));
      scheduler = new ScheduledThreadPoolExecutor(2, daemon("sf-sched"));
      scheduler.setRemoveOnCancelPolicy(true);
      Clock clock = Clock.systemUTC();
      engine = new WorkflowEngine(config, registry, tx,
          new ScheduledWakeUpTimer(scheduler, clock), turns, branches, scheduler, clock);
      engine.addListener(this::onEvent);
      engine.start();
    }

    static Bench h2(EngineBenchmark o) throws IOException {
      Path dir = Paths.get("target", "bench-h2").toAbsolutePath();
      deleteTree(dir);
      Files.createDirectories(dir);
      JdbcDataSource h2 = new JdbcDataSource();
      // as the server's default URL: WRITE_DELAY=0 makes each commit reach the file at once
      String url = "jdbc:h2:file:" + dir.resolve("bench") + ";WRITE_DELAY=0";
      h2.setURL(url);
      h2.setUser("sa");
      h2.setPassword("");
      HikariConfig hc = new HikariConfig();
      hc.setDataSource(h2);
      hc.setMaximumPoolSize(o.pool);
      hc.setMinimumIdle(o.pool);
      hc.setPoolName("bench-h2");
      HikariDataSource pool = new HikariDataSource(hc);
      Bench b = new Bench(o, pool, false, url + " (H2 " + org.h2.engine.Constants.VERSION
          + ", MVStore defaults: commits are not fsynced one by one)");
      // closed in reverse order: the pool, then the database
      b.closeables.add(() -> {
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
          s.execute("SHUTDOWN");
        }
      });
      b.closeables.add(pool);
      return b;
    }

    static Bench postgres(EngineBenchmark o) throws IOException, SQLException {
      Path dir = Paths.get("target", "bench-pg").toAbsolutePath();
      deleteTree(dir);
      Files.createDirectories(dir);
      EmbeddedPostgres pg = EmbeddedPostgres.builder()
          .setDataDirectory(dir)
          .setCleanDataDirectory(true)
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("full_page_writes", "on")
          .start();
      try (Connection c = pg.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE bench");
      }
      StringBuilder settings = new StringBuilder();
      try (Connection c = pg.getDatabase("postgres", "bench").getConnection();
          Statement s = c.createStatement()) {
        for (String name : new String[] {"server_version", "fsync", "synchronous_commit",
            "wal_sync_method", "full_page_writes", "shared_buffers"}) {
          try (ResultSet rs = s.executeQuery("SHOW " + name)) {
            rs.next();
            settings.append(settings.length() == 0 ? "" : ", ").append(name).append('=')
                .append(rs.getString(1));
          }
        }
      }
      HikariConfig hc = new HikariConfig();
      String url = pg.getJdbcUrl("postgres", "bench");
      if (o.asyncCommit) {
        // the opt-in of the README's configuration table, in the same URL form: commits return
        // before their WAL is flushed (a database or OS crash loses the last fraction of a second)
        url += (url.contains("?") ? "&" : "?") + "options=-c%20synchronous_commit%3Doff";
      }
      hc.setJdbcUrl(url);
      hc.setUsername("postgres");
      // as the server's SteadfastDataSource: JDBC batches of INSERTs go as multi-row INSERTs
      hc.addDataSourceProperty("reWriteBatchedInserts", "true");

      hc.setMaximumPoolSize(o.pool);
      hc.setMinimumIdle(o.pool);
      hc.setPoolName("bench-pg");
      HikariDataSource pool = new HikariDataSource(hc);
      try (Connection c = pool.getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SHOW synchronous_commit")) {
        rs.next();
        settings.append("; the engine's connections: synchronous_commit=").append(rs.getString(1));
      }
      Bench b = new Bench(o, pool, true, "embedded PostgreSQL in " + dir + ": " + settings);
      b.closeables.add(pg);
      b.closeables.add(pool);
      log("PostgreSQL " + settings);
      return b;
    }

    private void onEvent(EngineEvent e) {
      switch (e.type()) {
        case WORKFLOW_SUCCESS -> {
          if (done.putIfAbsent(e.instanceId(), System.nanoTime()) == null) {
            latch.countDown();
          }
        }
        case WORKFLOW_FAILURE -> {
          failures.incrementAndGet();
          System.err.println("FAILED " + e);
          if (done.putIfAbsent(e.instanceId(), System.nanoTime()) == null) {
            latch.countDown();
          }
        }
        case STEP_SUCCESS -> {
          if (trackSteps) {
            long now = System.nanoTime();
            stepTimes.compute(e.instanceId(), (k, v) -> {
              if (v == null) {
                return new long[] {now, now};
              }
              v[1] = now;
              return v;
            });
          }
        }
        case SLEEP_START -> sleepStarts.incrementAndGet();
        default -> { }
      }
    }

    private void expect(int n) {
      done.clear();
      latch = new CountDownLatch(n);
    }

    private void await(Duration timeout, String what) throws InterruptedException {
      if (!latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(what + ": " + latch.getCount()
            + " workflows did not finish within " + timeout);
      }
    }

    private WorkflowClient<Integer> client(String name) {
      return engine.client(name);
    }

    /** Waits until no turn runs (everything created has been released). */
    private void quiesce() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (engine.runningTurns() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
    }

    // ---------------------------------------------------------------- scenarios

    Map<String, String> all() throws Exception {
      Map<String, String> r = new LinkedHashMap<>();
      r.put("load average (1 min) at start", loadAverage());
      ds.counting = false;
      warmUp();
      if (on("perstep")) {
        floor(r);
        perStep(r);
      }
      if (on("commits")) {
        commitsPerStep(r);
      }
      if (on("throughput")) {
        throughput(r);
      }
      if (on("batch")) {
        batchThroughput(r);
      }
      if (on("wake")) {
        wakeUps(r);
      }
      if (on("events")) {
        events(r);
      }
      if (on("sleepers")) {
        sleeping(r);
      }
      if (o.only.contains("million")) { // never by default: it takes many minutes
        millionSleepers(r);
      }
      r.put("load average (1 min) at end", loadAverage());
      if (failures.get() > 0) {
        r.put("workflow failures (should be 0)", String.valueOf(failures.get()));
      }
      return r;
    }

    private boolean on(String scenario) {
      return o.only.isEmpty() || o.only.contains(scenario);
    }

    /** 2b. The same 1,000 3-step instances created with createBatch (100 per call). */
    private void batchThroughput(Map<String, String> r) throws Exception {
      quiesce();
      Thread.sleep(200);
      int n = o.throughput;
      expect(n);
      long t0 = System.nanoTime();
      WorkflowClient<Integer> c = client("bench-steps");
      for (int i = 0; i < n; i += 100) {
        List<WorkflowClient.NewInstance<Integer>> batch = new ArrayList<>();
        for (int j = i; j < Math.min(n, i + 100); j++) {
          batch.add(new WorkflowClient.NewInstance<>(null, 3));
        }
        c.createBatch(batch);
      }
      long created = System.nanoTime();
      await(Duration.ofMinutes(5), "batch throughput");
      long end = done.values().stream().mapToLong(Long::longValue).max().orElse(t0);
      String s = f0(n / ((end - t0) / 1e9));
      log("createBatch throughput: " + s + " wf/s (created in " + ms(created - t0) + " ms)");
      r.put("2b. 3-step workflows/s via createBatch", s);
      quiesce();
    }

    private void warmUp() throws Exception {
      log("warm-up");
      long t0 = System.nanoTime();
      runThreeStep(Math.min(500, o.throughput));
      for (int i = 0; i < 3; i++) {
        expect(1);
        client("bench-steps").create(100);
        await(Duration.ofMinutes(2), "warm-up");
      }
      quiesce();
      log("warm-up done in " + ms(System.nanoTime() - t0) + " ms");
    }

    /** 1. Sequential 100-step instances, one at a time. */
    /**
     * 0. The floor under the per-step figure: the journal write of one step (the engine's own
     * statements, one durable commit) issued back to back with no engine around it.
     */
    private double floorMedian;

    private void floor(Map<String, String> r) {
      JournalWriter w = new JournalWriter(ds, 1);
      String uid = java.util.UUID.randomUUID().toString();
      // the step writes are fenced by the instance's claim: a claimed instance row to write under
      dev.steadfast.workflow.store.InstanceEntity row = new dev.steadfast.workflow.store.InstanceEntity();
      row.setUid(uid);
      row.setWorkflowName("bench-floor");
      row.setInstanceId(uid);
      row.setStatus("running");
      row.setTriggerSource("api");
      row.setVersionId("floor");
      row.setOwner("bench-floor");
      row.setGen(1);
      w.write(uid, WorkflowStore.insertInstanceStmt(row, 3_600_000L));
      dev.steadfast.workflow.store.Claim claim =
          new dev.steadfast.workflow.store.Claim(uid, "bench-floor", 1, w.dialect());
      int n = 2000;
      double[] ms = new double[n];
      for (int i = 0; i < n; i++) {
        StepRecord s = new StepRecord("do:noop-" + i, i, "do", "noop", i, StepState.SUCCEEDED,
            null, "null", null, null, null, 1, 0, 1L, 1L, null, null, null);
        long t0 = System.nanoTime();
        w.write(uid, WorkflowStore.insertStepWithAttemptStmts(claim, 1, s,
            new AttemptRecord(1, 1L, 1L, true, null, null)));
        ms[i] = (System.nanoTime() - t0) / 1e6;
      }
      double[] steady = Arrays.copyOfRange(ms, n / 4, n);
      Arrays.sort(steady);
      floorMedian = steady[steady.length / 2];
      r.put("0. floor: one step's journal write alone, median",
          f3(floorMedian) + " (p10 " + f3(steady[steady.length / 10]) + ")");
    }

    private void perStep(Map<String, String> r) throws Exception {
      int runs = 7;
      double[] total = new double[runs];
      double[] steady = new double[runs];
      trackSteps = true;
      for (int i = 0; i < runs; i++) {
        stepTimes.clear();
        expect(1);
        long t0 = System.nanoTime();
        WorkflowInstance w = client("bench-steps").create(100);
        await(Duration.ofMinutes(2), "per-step");
        long t1 = done.get(w.id());
        long[] st = stepTimes.get(w.id());
        total[i] = (t1 - t0) / 1e6 / 100;
        steady[i] = (st[1] - st[0]) / 1e6 / 99;
        quiesce();
      }
      trackSteps = false;
      Arrays.sort(total);
      Arrays.sort(steady);
      log("per-step: create->complete ms/step " + Arrays.toString(round(total))
          + "; between steps " + Arrays.toString(round(steady)));
      r.put("1. ms per no-op step (100-step wf, median)",
          f3(total[runs / 2]) + " (min " + f3(total[0]) + ")");
      r.put("1. ms between consecutive steps (median)", f3(steady[runs / 2]));
      double share = steady[runs / 2] - floorMedian;
      r.put("1c. the engine's share: between steps - floor", share > 0 ? "~" + f3(share) + " ms"
          : "~0 (less than the floor's run-to-run noise)");
      // several at once: aggregate step rate
      int n = 8;
      expect(n);
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        client("bench-steps").create(100);
      }
      await(Duration.ofMinutes(2), "per-step parallel");
      double secs = (System.nanoTime() - t0) / 1e9;
      r.put("1b. steps/s, 8 x 100-step wf at once", f0(n * 100 / secs));
      quiesce();
    }

    /** 6. Commits and statements for one 100-step instance on its own. */
    private void commitsPerStep(Map<String, String> r) throws Exception {
      quiesce();
      Thread.sleep(300);
      tx.reset();
      tx.profile = true;
      long txBefore = tx.transactions.sum();
      ds.counting = true;
      CountingDataSource.Snapshot before = ds.snapshot();
      expect(1);
      client("bench-steps").create(100);
      await(Duration.ofMinutes(2), "commits");
      quiesce();
      long txCount = tx.transactions.sum() - txBefore;
      CountingDataSource.Snapshot d = ds.snapshot().minus(before);
      ds.counting = false;
      tx.profile = false;
      Map<String, long[]> stats = tx.stats();
      StringBuilder byCaller = new StringBuilder();
      stats.forEach((k, v) -> byCaller.append(byCaller.length() == 0 ? "" : ", ")
          .append(k).append(" x").append(v[0]));
      log("commits for one 100-step instance: transactor " + txCount + " [" + byCaller
          + "]; JDBC commits " + d.commits() + ", autocommit statements "
          + d.autocommitStatements() + ", rollbacks " + d.rollbacks() + "; statements: "
          + d.selects() + " SELECT, " + d.inserts() + " INSERT, " + d.updates() + " UPDATE, "
          + d.deletes() + " DELETE");
      long commits = d.commits() + d.autocommitStatements();
      r.put("6. commits per step (100-step wf)", f2(commits / 100.0) + " (" + commits
          + " for 100 steps + create + end)");
      r.put("6. transactions per instance outside the journal", String.valueOf(txCount));
      r.put("6. SELECTs per step (100-step wf)", f2(d.selects() / 100.0) + " (" + d.selects()
          + " total)");
      r.put("6. INSERT/UPDATE per step", f2(d.inserts() / 100.0) + " / "
          + f2(d.updates() / 100.0));
      eventCommits(r);
    }

    /**
     * 6b. An instance that waits for an event: the commits from its create until it waits, and
     * from the sendEvent call until it completed (median of 5, as a poll of the dispatcher may
     * add its own transaction to one of them).
     */
    private void eventCommits(Map<String, String> r) throws Exception {
      long[] toWait = new long[5];
      long[] toEnd = new long[5];
      String calls = "";
      for (int k = 0; k < toWait.length; k++) {
        quiesce();
        ds.counting = true;
        CountingDataSource.Snapshot s0 = ds.snapshot();
        // its first turn is running when create returns (this server claims what it creates)
        WorkflowInstance w = client("bench-event").create(0);
        quiesce();
        CountingDataSource.Snapshot s1 = ds.snapshot();
        expect(1);
        w.sendEvent("go", Map.of("k", k));
        await(Duration.ofMinutes(1), "event commits");
        quiesce();
        CountingDataSource.Snapshot s2 = ds.snapshot();
        ds.counting = false;
        // a read in autocommit (the wait's look for a buffered event) commits nothing
        CountingDataSource.Snapshot a = s1.minus(s0);
        CountingDataSource.Snapshot b = s2.minus(s1);
        toWait[k] = a.commits() + a.autocommitStatements() - a.autocommitSelects();
        toEnd[k] = b.commits() + b.autocommitStatements() - b.autocommitSelects();
        calls = "create: " + a.commits() + " commits, " + a.autocommitStatements()
            + " autocommit statements, " + a.selects() + " SELECT, " + a.inserts()
            + " INSERT, " + a.updates() + " UPDATE; event: " + b.commits() + " commits, "
            + b.autocommitStatements() + " autocommit statements, " + b.selects() + " SELECT, " + b.inserts() + " INSERT, " + b.updates() + " UPDATE";
      }
      Arrays.sort(toWait);
      Arrays.sort(toEnd);
      log("an instance waiting for an event (last of 5): " + calls);
      r.put("6b. commits, create -> waiting for an event", String.valueOf(toWait[2]));
      r.put("6b. commits, sendEvent -> complete", String.valueOf(toEnd[2]));
    }

    /** Creates n 3-step instances from the creator threads; returns seconds until all done. */
    private double runThreeStep(int n) throws Exception {
      expect(n);
      AtomicInteger next = new AtomicInteger();
      List<Thread> threads = new ArrayList<>();
      long t0 = System.nanoTime();
      AtomicLong createdAt = new AtomicLong();
      for (int c = 0; c < o.creators; c++) {
        Thread t = new Thread(() -> {
          while (next.getAndIncrement() < n) {
            client("bench-steps").create(3);
          }
        }, "bench-creator-" + c);
        t.start();
        threads.add(t);
      }
      for (Thread t : threads) {
        t.join();
      }
      createdAt.set(System.nanoTime());
      await(Duration.ofMinutes(5), "throughput");
      long end = done.values().stream().mapToLong(Long::longValue).max().orElse(t0);
      lastCreateSeconds = (createdAt.get() - t0) / 1e9;
      return (end - t0) / 1e9;
    }

    private double lastCreateSeconds;

    /** 2. Workflows per second: the median of three runs and their spread (not the best). */
    private void throughput(Map<String, String> r) throws Exception {
      double[] rates = new double[3];
      double[] creates = new double[3];
      for (int i = 0; i < rates.length; i++) {
        quiesce();
        Thread.sleep(200);
        if (o.profile && i == 2) {
          tx.reset();
          tx.profile = true;
        }
        double secs = runThreeStep(o.throughput);
        if (tx.profile) {
          tx.profile = false;
          profileText = profile("transactions during one 1,000 x 3-step run");
        }
        rates[i] = o.throughput / secs;
        creates[i] = o.throughput / lastCreateSeconds;
      }
      List<String> runs = java.util.Arrays.stream(rates).mapToObj(EngineBenchmark::f0).toList();
      log("throughput runs (wf/s): " + runs);
      double[] sorted = rates.clone();
      java.util.Arrays.sort(sorted);
      double[] sortedCreates = creates.clone();
      java.util.Arrays.sort(sortedCreates);
      r.put("2. 3-step workflows/s (1,000 concurrent)", f0(sorted[1]) + " median ("
          + f0(sorted[0]) + "–" + f0(sorted[2]) + "; runs " + String.join(", ", runs) + ")");
      r.put("2. creates/s during those runs", f0(sortedCreates[1]) + " median ("
          + f0(sortedCreates[0]) + "–" + f0(sortedCreates[2]) + ")");
    }

    private String profile(String title) {
      StringBuilder sb = new StringBuilder(title + " (" + describe.split(":")[0] + "):\n");
      Map<String, long[]> stats = tx.stats();
      long totalNs = stats.values().stream().mapToLong(v -> v[1]).sum();
      stats.entrySet().stream()
          .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[1]))
          .forEach(e -> sb.append(String.format(Locale.ROOT,
              "  %-40s %7d tx  %9.1f ms total  %7.3f ms/tx  %5.1f%%%n", e.getKey(),
              e.getValue()[0], e.getValue()[1] / 1e6, e.getValue()[1] / 1e6 / e.getValue()[0],
              100.0 * e.getValue()[1] / totalNs)));
      log(sb.toString());
      return sb.toString();
    }

    /** 4. Lateness of 1 s sleeps: staggered over ~3 s, then all at once. */
    private void wakeUps(Map<String, String> r) throws Exception {
      quiesce();
      for (boolean burst : new boolean[] {false, true}) {
        int n = 300;
        MARKS.clear();
        expect(n);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          ids.add(client("bench-wake").create(1000).id());
          if (!burst) {
            Thread.sleep(10);
          }
        }
        await(Duration.ofMinutes(2), "wake-ups");
        long[] late = ids.stream().mapToLong(MARKS::get).sorted().toArray();
        String s = late[late.length / 2] + " / " + pct(late, 0.99) + " ms (max "
            + late[late.length - 1] + ")";
        log("wake-up lateness " + (burst ? "burst" : "staggered") + ": " + s);
        r.put(burst ? "4b. lateness p50 / p99, 300 due at once" :
            "4. wake-up lateness p50 / p99 (1 s sleep)", s);
        quiesce();
      }
    }

    /** 5. sendEvent -> resumed, one event at a time. */
    private void events(Map<String, String> r) throws Exception {
      quiesce();
      int n = 200;
      MARKS.clear();
      List<WorkflowInstance> waiting = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        waiting.add(client("bench-event").create(0));
      }
      quiesce();
      Thread.sleep(200);
      quiesce();
      long[] lat = new long[n];
      long[] call = new long[n];
      expect(n);
      for (int i = 0; i < n; i++) {
        WorkflowInstance w = waiting.get(i);
        long t0 = System.nanoTime();
        w.sendEvent("go", Map.of("i", i));
        call[i] = System.nanoTime() - t0;
        Long at;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((at = MARKS.get(w.id())) == null && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        if (at == null) {
          throw new IllegalStateException("instance " + w.id() + " did not resume");
        }
        lat[i] = at - t0;
      }
      await(Duration.ofMinutes(1), "events");
      Arrays.sort(lat);
      Arrays.sort(call);
      String s = f2(lat[n / 2] / 1e6) + " / " + f2(pct(lat, 0.99) / 1e6) + " ms";
      log("sendEvent -> resumed: " + s + "; sendEvent call itself p50 " + f2(call[n / 2] / 1e6)
          + " ms");
      r.put("5. sendEvent -> resumed p50 / p99", s);
      r.put("5. sendEvent call p50 / p99", f2(call[n / 2] / 1e6) + " / "
          + f2(pct(call, 0.99) / 1e6) + " ms");
      quiesce();
    }

    /** 3. Heap and threads with many sleeping instances. */
    private void sleeping(Map<String, String> r) throws Exception {
      quiesce();
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      long heapBefore = usedHeapAfterGc(memory);
      int threadsBefore = threads.getThreadCount();
      sleepStarts.set(0);
      int n = o.sleepers;
      AtomicInteger next = new AtomicInteger();
      List<Thread> creatorThreads = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int c = 0; c < o.creators; c++) {
        Thread t = new Thread(() -> {
          while (next.getAndIncrement() < n) {
            client("bench-sleeper").create(0);
          }
        }, "bench-creator-" + c);
        t.start();
        creatorThreads.add(t);
      }
      for (Thread t : creatorThreads) {
        t.join();
      }
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while ((sleepStarts.get() < n || engine.runningTurns() > 0)
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      long sleepingRows;
      try (Connection c = ds.getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM sf_instance WHERE workflow_name ="
              + " 'bench-sleeper' AND status = 'waiting' AND owner IS NULL")) {
        rs.next();
        sleepingRows = rs.getLong(1);
      }
      int threadsAfter = threads.getThreadCount();
      long heapAfter = usedHeapAfterGc(memory);
      log(n + " sleepers in place in " + f2(secs) + " s; " + sleepingRows
          + " rows waiting; heap " + (heapBefore >> 10) + " KiB -> " + (heapAfter >> 10)
          + " KiB; threads " + threadsBefore + " -> " + threadsAfter);
      r.put("3. sleeping instances (rows waiting)", sleepingRows + " of " + n + " (set up in "
          + f1(secs) + " s)");
      r.put("3. heap per sleeping instance", f0((heapAfter - heapBefore) / (double) n)
          + " bytes (" + ((heapAfter - heapBefore) >> 10) + " KiB total)");
      r.put("3. live threads before -> after", threadsBefore + " -> " + threadsAfter);
      String s = freshWork(n);
      r.put("3. new workflow latency while sleeping", s);
    }

    /** Twenty new 1-step instances one after another while {@code n} sleep: create -> complete. */
    private String freshWork(int n) throws InterruptedException {
      long[] lat = new long[20];
      for (int i = 0; i < lat.length; i++) {
        expect(1);
        long s0 = System.nanoTime();
        WorkflowInstance w = client("bench-steps").create(1);
        await(Duration.ofSeconds(60), "a new workflow while " + n + " sleep");
        lat[i] = done.get(w.id()) - s0;
        Thread.sleep(20);
      }
      Arrays.sort(lat);
      String s = f2(lat[lat.length / 2] / 1e6) + " ms (max " + f2(lat[lat.length - 1] / 1e6)
          + ")";
      log("1-step workflow create -> complete while " + n + " sleep: " + s);
      return s;
    }

    /**
     * 7. A million sleepers (issue 13): {@code --million N} instances asleep for a month, added
     * with createBatch; heap and threads as they are added; a new instance's create -> complete
     * while they sleep; {@code --due N} instances due at the same moment, their lateness; and a
     * second engine started on the same database, the time until it runs new work.
     */
    private void millionSleepers(Map<String, String> r) throws Exception {
      quiesce();
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      int n = o.million;
      int batchSize = 100; // createBatch takes up to 100 per call
      sleepStarts.set(0);
      long heap0 = usedHeapAfterGc(memory);
      int threads0 = threads.getThreadCount();
      StringBuilder heapCurve = new StringBuilder((heap0 >> 20) + " MiB at 0");
      WorkflowClient<Integer> months = client("bench-month");
      long t0 = System.nanoTime();
      int checkpoint = Math.max(n / 4, 1);
      for (int i = 0; i < n; i += batchSize) {
        List<WorkflowClient.NewInstance<Integer>> batch = new ArrayList<>();
        for (int j = i; j < Math.min(n, i + batchSize); j++) {
          batch.add(new WorkflowClient.NewInstance<>(null, 0));
        }
        months.createBatch(batch);
        int made = Math.min(n, i + batchSize);
        // keep the backlog of instances not yet asleep bounded, as a steady stream of users would
        while (made - sleepStarts.get() > 50_000) {
          Thread.sleep(50);
        }
        if (made % checkpoint == 0 || made == n) {
          while (sleepStarts.get() < made) {
            Thread.sleep(50);
          }
          quiesce();
          long h = usedHeapAfterGc(memory);
          heapCurve.append(", ").append(h >> 20).append(" MiB at ").append(made);
          log(made + " asleep after " + f1((System.nanoTime() - t0) / 1e9) + " s; heap "
              + (h >> 20) + " MiB; threads " + threads.getThreadCount());
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      long heapN = usedHeapAfterGc(memory);
      int threadsN = threads.getThreadCount();
      r.put("7. sleepers asleep (month), set up in", n + " in " + f0(secs) + " s ("
          + f0(n / secs) + " /s)");
      r.put("7. heap as they were added (after GC)", heapCurve.toString());
      r.put("7. heap per sleeper", f0((heapN - heap0) / (double) n) + " bytes");
      r.put("7. live threads before -> after", threads0 + " -> " + threadsN);

      String fresh = freshWork(n);
      r.put("7. 1-step create -> complete while they sleep, p50", fresh);

      // --due instances due at one moment, far enough ahead for all of them to be asleep by then
      int due = o.dueAtOnce;
      MARKS.clear();
      expect(due);
      WorkflowClient<Long> dueClient = engine.client("bench-due");
      long at = System.currentTimeMillis() + 60_000;
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < due; i += batchSize) {
        List<WorkflowClient.NewInstance<Long>> batch = new ArrayList<>();
        for (int j = i; j < Math.min(due, i + batchSize); j++) {
          batch.add(new WorkflowClient.NewInstance<>(null, at));
        }
        dueClient.createBatch(batch).forEach(w -> ids.add(w.id()));
      }
      long setUp = at - System.currentTimeMillis();
      await(Duration.ofMinutes(10), "instances due at once");
      long[] late = ids.stream().mapToLong(MARKS::get).sorted().toArray();
      String lateness = late[late.length / 2] + " / " + pct(late, 0.99) + " ms (max "
          + late[late.length - 1] + ")";
      log(due + " due at once among " + n + " sleepers: lateness " + lateness
          + " (created with " + setUp + " ms to spare)");
      r.put("7. " + due + " due at once: lateness p50 / p99", lateness);
      quiesce();

      // a second engine that finds them in its database
      engine.stop(2000);
      long s0 = System.nanoTime();
      Clock clock = Clock.systemUTC();
      engine = new WorkflowEngine(config, registry, tx,
          new ScheduledWakeUpTimer(scheduler, clock), turns, branches, scheduler, clock);
      engine.addListener(this::onEvent);
      engine.start();
      long started = System.nanoTime();
      expect(1);
      client("bench-steps").create(1);
      await(Duration.ofMinutes(2), "first workflow of the second engine");
      long firstDone = System.nanoTime();
      String restart = ms(started - s0) + " ms to start, " + ms(firstDone - s0)
          + " ms to a completed new instance";
      log("second engine on the same database: " + restart);
      r.put("7. start-up with them in the database", restart);
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) throws InterruptedException {
      long best = Long.MAX_VALUE;
      for (int i = 0; i < 4; i++) {
        System.gc();
        Thread.sleep(100);
        best = Math.min(best, memory.getHeapMemoryUsage().getUsed());
      }
      return best;
    }

    @Override
    public void close() throws Exception {
      engine.stop(2000);
      turns.shutdownNow();
      branches.shutdownNow();
      scheduler.shutdownNow();
      turns.awaitTermination(5, TimeUnit.SECONDS);
      emf.close();
      for (int i = closeables.size() - 1; i >= 0; i--) {
        try {
          closeables.get(i).close();
        } catch (Exception e) {
          log("close failed: " + e);
        }
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.delete(p);
      }
    }
  }

  static String loadAverage() {
    try {
      return Files.readString(Paths.get("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  private static long pct(long[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static double[] round(double[] v) {
    return Arrays.stream(v).map(x -> Math.round(x * 1000) / 1000.0).toArray();
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  private static String f0(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String f1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String f2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String f3(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
