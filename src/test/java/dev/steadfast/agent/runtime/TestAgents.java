package dev.steadfast.agent.runtime;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.Callable;
import dev.steadfast.agent.ConnectContext;
import dev.steadfast.agent.Connection;
import dev.steadfast.agent.StreamingResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Agents the runtime tests drive; static fields record what ran (one test at a time). */
public final class TestAgents {
  static final List<String> LOG = new CopyOnWriteArrayList<>();
  static final AtomicInteger RUNNING = new AtomicInteger();
  static final AtomicInteger MAX_RUNNING = new AtomicInteger();
  /** Results of {@link WorkAgent#hang} runs; tests complete them to release the threads. */
  static final List<CompletableFuture<Void>> HUNG = new CopyOnWriteArrayList<>();

  private TestAgents() {}

  /** Untyped state (JSON values), no initial state. */
  public static class PlainAgent extends Agent<Object> {
    @Override
    public void onStart() {
      LOG.add("start:" + name());
    }

    @Callable
    public Object put(Object s) {
      setState(s);
      return state();
    }
  }

  /** A counter whose state must stay non-negative; hooks that throw on demand. */
  public static class TestStateAgent extends Agent<Map<String, Object>> {
    @Override
    public Map<String, Object> initialState() {
      return Map.of("count", 0);
    }

    @Override
    public void validateStateChange(Map<String, Object> next, Connection source) {
      Object c = next == null ? null : next.get("count");
      if (!(c instanceof Number n) || n.intValue() < 0) {
        throw new IllegalArgumentException("bad count");
      }
    }

    @Override
    public void onStateChanged(Map<String, Object> state, Connection source) {
      LOG.add("changed:" + (source == null ? "server" : source.id()));
      if (Integer.valueOf(13).equals(((Number) state.get("count")).intValue())) {
        throw new IllegalStateException("unlucky");
      }
    }

    @Override
    public void onConnect(Connection connection, ConnectContext context) {
      if ("true".equals(context.query().get("explode"))) {
        throw new IllegalStateException("connect hook failed");
      }
    }

    @Override
    public void onMessage(Connection connection, String message) {
      LOG.add("message:" + message);
    }

    @Override
    public void onError(Connection connection, Throwable error) {
      LOG.add("error:" + error.getMessage());
    }

    @Callable(description = "sets count")
    public int set(int count) {
      setState(Map.of("count", count));
      return count;
    }

    @Callable
    public void noop() {}

    @Callable
    public String nothing() {
      return null;
    }

    @Callable
    public void boom() {
      throw new IllegalStateException("it broke");
    }

    @Callable(streaming = true)
    public void chunks(StreamingResponse s, int n) {
      for (int i = 0; i < n; i++) {
        s.send("c" + i);
      }
      s.end("done");
      s.send("late"); // ignored after end
    }

    public void hidden() {}
  }

  /** Schedules and queue callbacks. */
  public static class WorkAgent extends Agent<Object> {
    public void record(String what) {
      LOG.add(what);
    }

    public void fails(String what) {
      LOG.add(what);
      throw new IllegalStateException("always fails");
    }

    /** A run that never finishes by itself (it releases the instance, as an await would). */
    public CompletableFuture<Void> hang(String what) {
      LOG.add(what);
      CompletableFuture<Void> never = new CompletableFuture<>();
      HUNG.add(never);
      return never;
    }

    public void slow(String what) throws InterruptedException {
      int now = RUNNING.incrementAndGet();
      MAX_RUNNING.accumulateAndGet(now, Math::max);
      try {
        LOG.add(what);
        Thread.sleep(2_500);
      } finally {
        RUNNING.decrementAndGet();
      }
    }
  }
}
