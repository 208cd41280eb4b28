package dev.steadfast.bench;

import dev.steadfast.testing.Http;
import dev.steadfast.testing.ServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A state-changing RPC while N other clients of the same agent instance are connected: the demo
 * CounterAgent's {@code increment(1)} (a state write and a broadcast to every client) called by
 * one client, one call at a time, with N = 0, 50, 200, 1,000 idle clients (they read every
 * frame). Prints the RPC round trip p50 / p99 per N (median over rounds, and the spread of the
 * rounds' p50), and how long the last idle client waited for the state frame of a call.
 *
 * <p>The idle clients are JDK WebSocket clients, a thread-light way to hold a thousand open
 * connections from one process; the protocol frames are the agents client's. Starts its own
 * server (target/, {@code -Xmx512m}, H2), or {@code --url ws://host:port --token T}.
 */
public final class AgentFanoutBenchmark {
  private AgentFanoutBenchmark() {}

  public static void main(String[] args) throws Exception {
    String url = null;
    String token = "demo";
    int calls = 500;
    int rounds = 3;
    int[] sizes = {0, 50, 200, 1_000};
    Long pidOption = null;
    dev.steadfast.testing.ServerKind kind = dev.steadfast.testing.ServerKind.PAYARA_MICRO;
    boolean histogram = false;
    boolean rawIdle = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--url" -> url = args[++i];
        case "--token" -> token = args[++i];
        case "--calls" -> calls = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--clients" -> sizes = Arrays.stream(args[++i].split(","))
            .mapToInt(Integer::parseInt).toArray();
        case "--pid" -> pidOption = Long.valueOf(args[++i]);
        case "--server" -> {
          String id = args[++i];
          kind = Arrays.stream(dev.steadfast.testing.ServerKind.values())
              .filter(k -> k.id().equals(id)).findFirst()
              .orElseThrow(() -> new IllegalArgumentException("--server micro|wildfly|payara-server"));
        }
        case "--histogram" -> histogram = true;
        case "--idle" -> {
          String k = args[++i];
          if (!k.equals("raw") && !k.equals("jdk")) {
            throw new IllegalArgumentException("--idle raw|jdk");
          }
          rawIdle = k.equals("raw");
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    try (ServerProcess server = url == null
        // 10,000 idle clients and the caller: over the default limit of 10,000 per server
        ? ServerProcess.start(kind, "agent-bench", Map.of("STEADFAST_AGENTS_DEMO_TOKEN", token,
            "STEADFAST_AGENTS_MAX_CONNECTIONS", "20000"))
        : null) {
      String base = url != null ? url : server.baseUrl().replace("http:", "ws:");
      HttpClient http = Http.client();
      HttpClient callerHttp = Http.client();
      RawSocketClients raw = rawIdle ? new RawSocketClients() : null;
      String instance = "fanout-" + Long.toString(System.currentTimeMillis(), 36);
      System.out.printf(Locale.ROOT, "Agent fan-out benchmark (%s): CounterAgent/%s, %d calls x"
          + " %d rounds per size; idle clients: %s; load average %.2f%n",
          url != null ? url : kind.id(), instance, calls, rounds,
          rawIdle ? "raw (one selector thread)" : "JDK HttpClient", ApiBenchmark.loadAverage());
      // the server's heap after a full GC, with no idle client and then with each size
      Long pid = url != null ? pidOption : Long.valueOf(server.pid());
      Caller warm = Caller.open(http, socket(base, instance, token, "warm-up"));
      for (int i = 0; i < 200; i++) {
        warm.call(List.of(), false);
      }
      warm.close();
      long heap0 = pid == null ? -1 : heapAfterGcKib(pid);
      Map<String, long[]> classes0 = histogram && pid != null ? classHistogram(pid) : Map.of();
      StringBuilder memory = new StringBuilder();
      System.out.printf(Locale.ROOT, "%-14s | %-34s | %s%n", "idle clients",
          "increment(1) p50 / p99 ms", "last idle client got the state, p50 ms");
      List<Reader> idle = new ArrayList<>();
      for (int n : sizes) {
        while (idle.size() < n) {
          List<CompletableFuture<? extends Reader>> opening = new ArrayList<>();
          for (int k = 0; k < 50 && idle.size() + opening.size() < n; k++) {
            URI uri = socket(base, instance, token, "idle" + (idle.size() + opening.size()));
            opening.add(raw != null ? raw.open(uri) : Idle.open(http, uri));
          }
          for (CompletableFuture<? extends Reader> f : opening) {
            idle.add(f.get(60, TimeUnit.SECONDS));
          }
        }
        if (pid != null && n > 0) {
          long heap = heapAfterGcKib(pid);
          memory.append(String.format(Locale.ROOT, "%,d idle clients: server heap after full GC"
              + " %,d KiB, %.1f KiB more per client than with none%n", n, heap,
              (heap - heap0) / (double) n));
          if (histogram && n == sizes[sizes.length - 1]) {
            memory.append(histogramDiff(classes0, classHistogram(pid), n));
          }
        }
        // the caller has an HttpClient (a selector thread) of its own: on the idle clients' one
        // its reply would wait behind thousands of state frames being read by this process
        Caller caller = Caller.open(callerHttp, socket(base, instance, token, "caller-" + n));
        for (int i = 0; i < 20; i++) {
          // warm-up, each call waiting for its broadcast: unwaited, a hundred calls to 10,000
          // clients queue a million frames, and the first timed call waits behind them
          caller.call(idle, true);
        }
        double[] p50 = new double[rounds];
        double[] p99 = new double[rounds];
        double[] fan = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          long[] rtt = new long[calls];
          long[] spread = new long[calls];
          for (int i = 0; i < calls; i++) {
            long[] t = caller.call(idle, true);
            rtt[i] = t[0];
            spread[i] = t[1];
          }
          Arrays.sort(rtt);
          Arrays.sort(spread);
          p50[r] = rtt[calls / 2] / 1e6;
          p99[r] = rtt[(int) (calls * 0.99)] / 1e6;
          fan[r] = spread[calls / 2] / 1e6;
        }
        caller.close();
        double[] s = p50.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%-14d | %-34s | %s%n", n, String.format(Locale.ROOT,
            "%.2f / %.2f (p50 %.2f–%.2f)", Rounds.median(p50), Rounds.median(p99), s[0],
            s[s.length - 1]), n == 0 ? "" : String.format(Locale.ROOT, "%.2f",
            Rounds.median(fan)));
      }
      System.out.print(memory);
      // what the run leaves: the instance's state row, not its hourly tick (the demo agent
      // schedules it when it starts)
      Caller last = Caller.open(http, socket(base, instance, token, "cleanup"));
      last.callWithoutArguments("stopTicking");
      last.close();
      idle.forEach(Reader::close);
      if (raw != null) {
        Thread.sleep(500); // the close frames go out before the sockets do
        raw.close();
      }
    }
  }

  /** Used heap of process {@code pid} after a full GC, in KiB (jcmd). */
  static long heapAfterGcKib(long pid) throws Exception {
    jcmd(pid, "GC.run");
    Thread.sleep(500);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K")
        .matcher(jcmd(pid, "GC.heap_info"));
    if (!m.find()) {
      throw new IllegalStateException("no heap figure from jcmd GC.heap_info");
    }
    return Long.parseLong(m.group(1));
  }

  /** Class name to {instances, bytes} of process {@code pid} (a full GC first). */
  static Map<String, long[]> classHistogram(long pid) throws Exception {
    Map<String, long[]> out = new java.util.HashMap<>();
    java.util.regex.Pattern line = java.util.regex.Pattern.compile(
        "^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    for (String l : jcmd(pid, "GC.class_histogram").split("\n")) {
      java.util.regex.Matcher m = line.matcher(l);
      if (m.find()) {
        out.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
      }
    }
    return out;
  }

  /** The classes that grew most between two histograms, per client. */
  static String histogramDiff(Map<String, long[]> before, Map<String, long[]> after, int n) {
    StringBuilder b = new StringBuilder("  what grew, per idle client (bytes, instances):\n");
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), new long[] {
            e.getValue()[0] - before.getOrDefault(e.getKey(), new long[2])[0],
            e.getValue()[1] - before.getOrDefault(e.getKey(), new long[2])[1]}))
        .sorted((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]))
        .limit(Integer.getInteger("bench.histogram.lines", 25))
        .forEach(e -> b.append(String.format(Locale.ROOT, "  %8.0f %6.2f  %s%n",
            e.getValue()[1] / (double) n, e.getValue()[0] / (double) n, e.getKey())));
    return b.toString();
  }

  private static String jcmd(long pid, String command) throws Exception {
    Process p = new ProcessBuilder("jcmd", String.valueOf(pid), command)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("jcmd " + command + " failed: " + out);
    }
    return out;
  }

  private static URI socket(String base, String instance, String token, String pk) {
    return URI.create(base + "/agents/counter-agent/" + instance + "?_pk=" + pk + "&token="
        + token);
  }

  /**
   * An idle client as the caller sees it: the state frames it got, and when the last came. The
   * frames of one connection are handed over by one thread at a time, in order.
   */
  abstract static class Reader {
    private volatile int states;
    private volatile long lastStateAt;

    /** State frames received; frames of one connection arrive in order, so this is exact. */
    final int states() {
      return states;
    }

    /** {@link System#nanoTime()} when the last state frame came. */
    final long lastStateAt() {
      return lastStateAt;
    }

    /** A whole text frame from the server. */
    final void frame(String text) {
      if (text.contains("cf_agent_identity")) {
        admitted();
      } else if (text.contains("cf_agent_state\"")) {
        lastStateAt = System.nanoTime();
        states++; // one writer per connection: its frames' thread
      }
    }

    /** The server has taken the connection (its identity frame came). */
    abstract void admitted();

    abstract void close();
  }

  /** A client that only reads; it counts the state frames it got. */
  static final class Idle extends Reader implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();
    private final CompletableFuture<Idle> admitted = new CompletableFuture<>();
    private WebSocket ws;

    static CompletableFuture<Idle> open(HttpClient http, URI uri) {
      Idle i = new Idle();
      return http.newWebSocketBuilder().buildAsync(uri, i)
          .thenCompose(ws -> {
            i.ws = ws;
            return i.admitted;
          });
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        frame(text);
      }
      ws.request(1);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      admitted.completeExceptionally(error);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      admitted.completeExceptionally(new IllegalStateException("closed by the server: " + status
          + " " + reason));
      return null;
    }

    @Override
    void admitted() {
      admitted.complete(this);
    }

    @Override
    void close() {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }
  }

  /** The client making the calls: one RPC at a time, waiting for its reply. */
  static final class Caller implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();
    private final Map<String, CompletableFuture<Long>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<Caller> admitted = new CompletableFuture<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicReference<WebSocket> ws = new AtomicReference<>();

    static Caller open(HttpClient http, URI uri) throws Exception {
      Caller c = new Caller();
      c.ws.set(http.newWebSocketBuilder().buildAsync(uri, c).get(60, TimeUnit.SECONDS));
      return c.admitted.get(60, TimeUnit.SECONDS);
    }

    /** Calls {@code method()} and waits for its answer. */
    void callWithoutArguments(String method) throws Exception {
      String id = "q" + ids.incrementAndGet();
      CompletableFuture<Long> reply = new CompletableFuture<>();
      pending.put(id, reply);
      ws.get().sendText("{\"type\":\"rpc\",\"id\":\"" + id + "\",\"method\":\"" + method
          + "\",\"args\":[]}", true).join();
      reply.get(60, TimeUnit.SECONDS);
    }

    /**
     * One call; returns {round trip, time until every idle client got a state frame} in nanos
     * (the second is measured only when {@code fanout}).
     */
    long[] call(List<? extends Reader> idle, boolean fanout) throws Exception {
      String id = "c" + ids.incrementAndGet();
      CompletableFuture<Long> reply = new CompletableFuture<>();
      pending.put(id, reply);
      int[] expected = idle.stream().mapToInt(i -> i.states() + 1).toArray();
      long t0 = System.nanoTime();
      ws.get().sendText("{\"type\":\"rpc\",\"id\":\"" + id
          + "\",\"method\":\"increment\",\"args\":[1]}", true).join();
      long done = reply.get(60, TimeUnit.SECONDS);
      long last = done;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (int k = 0; fanout && k < expected.length; k++) {
        Reader i = idle.get(k);
        while (i.states() < expected[k]) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("an idle client never got the state frame");
          }
          java.util.concurrent.locks.LockSupport.parkNanos(100_000); // times come from the listener
        }
        last = Math.max(last, i.lastStateAt());
      }
      return new long[] {done - t0, last - t0};
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        long now = System.nanoTime();
        if (text.contains("cf_agent_identity")) {
          admitted.complete(this);
        } else if (text.startsWith("{\"type\":\"rpc\"")) {
          int start = text.indexOf("\"id\":\"") + 6;
          String id = text.substring(start, text.indexOf('"', start));
          CompletableFuture<Long> f = pending.remove(id);
          if (f != null) {
            if (text.contains("\"success\":false")) {
              f.completeExceptionally(new IllegalStateException(text));
            } else {
              f.complete(now);
            }
          }
        }
      }
      w.request(1);
      return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
      admitted.completeExceptionally(error);
    }

    void close() {
      ws.get().sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }
  }
}
