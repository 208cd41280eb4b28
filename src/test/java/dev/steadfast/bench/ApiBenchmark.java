package dev.steadfast.bench;

import dev.steadfast.bench.Rounds.Figures;
import dev.steadfast.testing.ServerProcess;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives the real server (Payara Micro from target/, the shipped {@code -Xmx512m}, its default H2
 * file database) over HTTP with keep-alive clients and prints, per operation, p50 / p99 latency
 * and throughput: the median over {@code --rounds} rounds and the spread (lowest–highest) of the
 * rounds' p50s. Next to each it prints the same operation called on the engine directly
 * ({@link EngineSide}: same workflows, H2 file database, no server), so the server's own share
 * is the difference. A program, not a test: it asserts nothing but that answers are 200.
 *
 * <p>Run after {@code mvn package}: see docs/benchmarks.md. {@code --url U --token T} measures a
 * running server instead of starting one; {@code --no-engine} skips the engine column;
 * {@code --db postgres} puts the server and the engine alone each on a database of its own on an
 * embedded PostgreSQL (fsync on) instead of H2.
 */
public final class ApiBenchmark {
  private static final String ACCOUNT = "/client/v4/accounts/bench";
  private static final String APPROVAL = ACCOUNT + "/workflows/approval/instances";

  private final URI base;
  private final String token;
  private final int rounds;
  private final double scale;
  private final String only;
  private final Rounds.Cpu serverCpu;
  private final AtomicInteger ids = new AtomicInteger();
  /** Instance ids of this run: a running server may hold a previous run's. */
  private final String run = Long.toString(System.currentTimeMillis(), 36);
  /** Approval instances waiting for their event, for sendEvent. */
  private final ConcurrentLinkedQueue<String> waiting = new ConcurrentLinkedQueue<>();

  private ApiBenchmark(URI base, String token, Map<String, String> o, Long pid) {
    this.base = base;
    this.token = token;
    this.rounds = Integer.parseInt(o.getOrDefault("rounds", "5"));
    this.scale = Double.parseDouble(o.getOrDefault("scale", "1"));
    this.only = o.getOrDefault("only", "");
    this.serverCpu = pid == null ? null : Rounds.Cpu.of(pid);
  }

  /** One operation as a client performs it; {@code client} numbers the client, {@code i} the call. */
  interface Call {
    void run(RawHttp http, int client, int i) throws IOException;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    String url = o.get("url");
    long load = Math.round(loadAverage() * 100);
    // --db postgres: the server and the engine alone each on a database of their own on an
    // embedded PostgreSQL 15 with its default settings (fsync on)
    boolean postgres = "postgres".equals(o.get("db"));
    Map<String, String> env = Map.of();
    if (postgres && url == null) {
      String pgUrl = ((org.postgresql.ds.common.BaseDataSource)
          dev.steadfast.workflow.engine.Databases.postgresWithDefaults()).getURL();
      // the demo workflows are on by default only with the embedded H2 database
      env = Map.of("STEADFAST_DB_URL", pgUrl, "STEADFAST_DB_USER", "postgres",
          "STEADFAST_DB_PASSWORD", "postgres", "STEADFAST_EXAMPLES_ENABLED", "true");
    }
    database = postgres ? "PostgreSQL 15 (embedded, fsync and synchronous commit on)"
        : "H2 file database (WRITE_DELAY=0: each commit written to the file, not fsynced)";
    try (ServerProcess server = url == null ? ServerProcess.start("bench", env) : null) {
      URI base = URI.create(url != null ? url : server.baseUrl());
      // --pid: the running server's process, for its CPU time per call
      Long pid = url != null ? (o.containsKey("pid") ? Long.valueOf(o.get("pid")) : null)
          : server.pid();
      ApiBenchmark b = new ApiBenchmark(base, url != null ? o.get("token") : ServerProcess.TOKEN,
          o, pid);
      Map<String, Figures> http = b.measure();
      Map<String, Figures> engine = o.containsKey("no-engine") ? Map.of()
          : EngineSide.measure(b.rounds, b.scale, b.only, postgres);
      print(http, engine, b.rounds, load / 100.0);
      System.out.println("per step, 1,000-step instance (demo 'processing', " + BIG_RUNS
          + " runs, median of the last " + (BIG_RUNS - 1) + "): server "
          + perStepFigure(b.perStep) + "; engine alone "
          + perStepFigure(EngineSide.perStep));
    }
  }

  private Map<String, Figures> measure() throws Exception {
    Map<String, Figures> f = new LinkedHashMap<>();
    String big = bigInstance();
    check(post(ACCOUNT + "/workflows/resilient-call/instances", "{\"instance_id\":\"" + run
        + "-one\",\"params\":{\"failures\":0,\"refuse\":false}}"));
    awaitComplete("resilient-call", run + "-one");
    String one = ACCOUNT + "/workflows/resilient-call/instances/" + run + "-one";
    run(f, "list workflows", 1, 2_000, (h, c, i) -> check(h.get(ACCOUNT + "/workflows")));
    run(f, "details, 1-step instance", 1, 2_000, (h, c, i) -> check(h.get(one)));
    run(f, "details, 1,000-step instance", 1, 100, (h, c, i) -> check(h.get(big)));
    run(f, "/health/ready", 1, 2_000, (h, c, i) -> check(h.get("/health/ready")));
    run(f, "details, 1-step, 16 clients", 16, 500, (h, c, i) -> check(h.get(one)));
    run(f, "create, 1 client", 1, 1_000, this::create);
    run(f, "create, 16 clients", 16, 250, this::create);
    run(f, "sendEvent, 1 client", 1, 500, this::sendEvent);
    run(f, "sendEvent, 16 clients", 16, 100, this::sendEvent);
    return f;
  }

  private void create(RawHttp h, int client, int i) throws IOException {
    String id = run + "-" + ids.incrementAndGet();
    check(h.post(APPROVAL, "{\"instance_id\":\"" + id + "\",\"params\":{\"title\":\"t\"}}"));
    waiting.add(id);
  }

  private void sendEvent(RawHttp h, int client, int i) throws IOException {
    String id = waiting.poll();
    if (id == null) {
      throw new IllegalStateException("no instance left to send an event to");
    }
    check(h.post(APPROVAL + "/" + id + "/events/approval", "{\"approved\":true,\"reason\":\"ok\"}"));
  }

  /**
   * The demo 'processing' workflow with 998 items (1,000 steps), run {@link #BIG_RUNS} times one
   * after another: the per-step time of each (start to end / steps) into {@link #perStep}, the
   * first being the JIT's warm-up; returns the details path of the last.
   */
  private String bigInstance() throws Exception {
    StringJoiner items = new StringJoiner(",", "[", "]");
    for (int i = 0; i < 998; i++) {
      items.add("\"i" + i + "\"");
    }
    String id = null;
    for (int k = 0; k < BIG_RUNS; k++) {
      id = run + "-big" + k;
      check(post(ACCOUNT + "/workflows/processing/instances", "{\"instance_id\":\"" + id
          + "\",\"params\":{\"items\":" + items + ",\"millisPerItem\":0}}"));
      jakarta.json.JsonObject r = jakarta.json.Json.createReader(new java.io.StringReader(
          awaitComplete("processing", id))).readObject().getJsonObject("result");
      long ms = Duration.between(Instant.parse(r.getString("start")),
          Instant.parse(r.getString("end"))).toMillis();
      perStep.add((double) ms / r.getInt("step_count"));
    }
    return ACCOUNT + "/workflows/processing/instances/" + id;
  }

  /** What the server and the engine alone run on, for the header. */
  private static String database;

  /** How many 1,000-step instances each side runs (the first warms the JIT). */
  static final int BIG_RUNS = 6;

  /** Milliseconds per step of each 1,000-step instance the server ran. */
  private final List<Double> perStep = new ArrayList<>();

  /** The median of all runs but the first: "0.412 ms (runs 0.530, 0.401, 0.412, 0.420)". */
  static String perStepFigure(List<Double> runs) {
    if (runs.size() < 2) {
      return "";
    }
    List<Double> warm = new ArrayList<>(runs.subList(1, runs.size()));
    java.util.Collections.sort(warm);
    StringJoiner all = new StringJoiner(", ", "runs ", "");
    runs.forEach(v -> all.add(String.format(Locale.ROOT, "%.3f", v)));
    return String.format(Locale.ROOT, "%.3f ms (%s)", warm.get(warm.size() / 2), all);
  }

  private String awaitComplete(String workflow, String id) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    try (RawHttp h = new RawHttp(base, token)) {
      while (true) {
        String body = check(h.get(ACCOUNT + "/workflows/" + workflow + "/instances/" + id)).body();
        if (body.contains("\"status\":\"complete\"")) {
          return body;
        }
        if (body.contains("\"status\":\"errored\"") || System.nanoTime() > deadline) {
          throw new IllegalStateException(workflow + "/" + id + ": " + body.substring(0,
              Math.min(500, body.length())));
        }
        Thread.sleep(100);
      }
    }
  }

  private RawHttp.Answer post(String path, String json) throws IOException {
    try (RawHttp h = new RawHttp(base, token)) {
      return h.post(path, json);
    }
  }

  /**
   * Measures {@code name} into {@code f} unless --only leaves it out: {@code clients} keep-alive
   * connections, each making {@code calls} calls (times --scale).
   */
  private void run(Map<String, Figures> f, String name, int clients, int calls, Call call)
      throws Exception {
    if (!name.contains(only)) {
      return;
    }
    f.put(name, Rounds.measure(rounds, clients, Math.max(10, (int) (calls * scale)), n -> {
      RawHttp h = new RawHttp(base, token);
      return new Rounds.Client() {
        @Override
        public void call(int i) throws Exception {
          call.run(h, n, i);
        }

        @Override
        public void close() throws IOException {
          h.close();
        }
      };
    }, serverCpu));
  }

  private static RawHttp.Answer check(RawHttp.Answer a) {
    if (a.status() != 200) {
      throw new IllegalStateException(a.status() + " " + a.body());
    }
    return a;
  }

  private static void print(Map<String, Figures> http, Map<String, Figures> engine, int rounds,
      double load) {
    Runtime rt = Runtime.getRuntime();
    System.out.printf(Locale.ROOT, "Steadfast API benchmark — %s%n", Instant.now());
    System.out.printf(Locale.ROOT, "machine: %d cores, load average %.2f at start; java %s%n",
        rt.availableProcessors(), load, System.getProperty("java.vm.version"));
    System.out.printf(Locale.ROOT, "server: Payara Micro, -Xmx512m, %s; clients: keep-alive"
        + " HTTP/1.1 on 127.0.0.1; %d rounds, medians shown, p50 spread = lowest–highest round%n",
        database, rounds);
    System.out.printf(Locale.ROOT, "%-28s | %-34s | %7s | %8s | %-32s | %7s | %8s%n",
        "operation", "HTTP p50 / p99 ms", "HTTP /s", "srv CPU", "engine alone p50 / p99 ms",
        "eng /s", "eng CPU");
    System.out.println("-".repeat(140));
    http.forEach((name, h) -> {
      Figures e = engine.get(name);
      System.out.printf(Locale.ROOT, "%-28s | %-34s | %,7.0f | %8s | %-32s | %7s | %8s%n", name,
          h.latency(), h.perSecond(), cpu(h), e == null ? "" : e.latency(),
          e == null ? "" : String.format(Locale.ROOT, "%,.0f", e.perSecond()),
          e == null ? "" : cpu(e));
    });
    System.out.println("srv CPU: the server process's CPU time per call (all its threads: the"
        + " turns a create or an event starts included); eng CPU: the same for the JVM running"
        + " the engine alone, its client threads and embedded H2 included; ms");
  }

  private static String cpu(Figures f) {
    return Double.isNaN(f.cpu()) ? "" : String.format(Locale.ROOT, "%.3f", f.cpu());
  }

  static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        .getSystemLoadAverage();
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String k = args[i].replaceFirst("^--", "");
      boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
      o.put(k, flag ? "" : args[++i]);
    }
    return o;
  }
}
