package dev.steadfast.agent.runtime;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.Callable;
import dev.steadfast.agent.Connection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Agents that fail the hard way (Errors, not exceptions), for the fault tests. */
public final class FaultAgents {
  static final List<String> LOG = new CopyOnWriteArrayList<>();

  private FaultAgents() {}

  /** Every entry point can throw an Error on demand. */
  public static class ErrorAgent extends Agent<Map<String, Object>> {
    @Override
    public void validateStateChange(Map<String, Object> next, Connection source) {
      if (next != null && next.containsKey("assert")) {
        throw new AssertionError("validation blew up");
      }
    }

    @Override
    public void onMessage(Connection connection, String message) {
      LOG.add("message:" + message);
      if (message.equals("error")) {
        throw new StackOverflowError("deep");
      }
    }

    @Override
    public void onError(Connection connection, Throwable error) {
      LOG.add("error:" + error.getClass().getSimpleName());
    }

    @Callable
    public void crash() {
      throw new NoClassDefFoundError("com/example/Gone");
    }

    @Callable
    public String echo(String s) {
      return s;
    }

    @Callable
    public int fill(int count, int size) {
      for (int i = 0; i < count; i++) {
        setState(Map.of("pad", "x".repeat(size), "i", i));
      }
      return count;
    }

    /**
     * As {@link #fill}, a state change every {@code pauseMillis}: a client that reads keeps up
     * with it however busy the machine (a burst faster than any writer could overflow a reader
     * too), while one that never reads still falls behind for good.
     */
    @Callable
    public int fillPaced(int count, int size, int pauseMillis) throws InterruptedException {
      for (int i = 0; i < count; i++) {
        setState(Map.of("pad", "x".repeat(size), "i", i));
        Thread.sleep(pauseMillis);
      }
      return count;
    }
  }
}
