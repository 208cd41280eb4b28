package dev.steadfast.examples;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.AgentDefinition;
import dev.steadfast.agent.AgentRequest;
import dev.steadfast.agent.AgentResponse;
import dev.steadfast.agent.Callable;
import dev.steadfast.agent.Connection;
import dev.steadfast.agent.Schedule;
import dev.steadfast.agent.StreamingResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

/**
 * Demo: a shared counter with a chat log. Clients connect to {@code /agents/counter-agent/<room>};
 * see docs/agents.md for the walkthrough.
 */
@AgentDefinition
public class CounterAgent extends Agent<CounterAgent.State> {
  /** Injected like in any CDI bean: agents are created through CDI. */
  @Inject Config config;

  /** The synchronized state: a count, the last chat lines, and how often the ticker ran. */
  public static class State {
    public int count;
    public List<String> messages = new ArrayList<>();
    public int ticks;
    public String lastReminder;
  }

  @Override
  public State initialState() {
    return new State();
  }

  @Override
  public void onStart() {
    // idempotent: every activation asks, one interval schedule exists
    scheduleEvery(3600, "tick", null);
  }

  @Override
  public void validateStateChange(State next, Connection source) {
    if (next == null || next.count < 0) {
      throw new IllegalArgumentException("count must not be negative");
    }
  }

  /** The demo is reachable by anyone who can reach the server: every input is bounded. */
  static final int MAX_TEXT = 500;

  @Callable(description = "Adds n (-1000..1000) to the counter and returns the new count")
  public int increment(int n) {
    within("n", n, -1000, 1000);
    State s = copy(state());
    s.count = Math.addExact(s.count, n);
    setState(s);
    return s.count;
  }

  @Callable(description = "Appends a chat line visible to every client")
  public void say(String who, String text) {
    text("who", who);
    text("text", text);
    State s = copy(state());
    s.messages.add(who + ": " + text);
    if (s.messages.size() > 50) {
      s.messages.remove(0);
    }
    setState(s);
  }

  @Callable(description = "The configured greeting (steadfast.agents.greeting)")
  public String greeting() {
    return config.getOptionalValue("steadfast.agents.greeting", String.class).orElse("hello");
  }

  @Callable(description = "Always null")
  public Object nothing() {
    return null;
  }

  @Callable(description = "Echoes after a delay (at most 10 s) without holding the agent")
  public CompletionStage<String> slowEcho(String text, long millis) {
    text("text", text);
    within("millis", millis, 0, 10_000);
    return CompletableFuture.supplyAsync(() -> text,
        CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS));
  }

  @Callable(description = "Fails on purpose")
  public void fail(String message) {
    text("message", message);
    throw new IllegalStateException(message);
  }

  @Callable(description = "Streams 1..n (n at most 1000) and ends with their sum",
      streaming = true)
  public void countTo(StreamingResponse stream, int n) {
    within("n", n, 0, 1000);
    int sum = 0;
    for (int i = 1; i <= n; i++) {
      stream.send(i);
      sum += i;
    }
    stream.end(sum);
  }

  @Callable(description = "Runs remind(text) once after the given seconds (at most a day)")
  public Schedule remindIn(long seconds, String text) {
    within("seconds", seconds, 0, 86_400);
    text("text", text);
    return schedule(seconds, "remind", text);
  }

  @Callable(description = "Cancels this instance's hourly tick (its next start schedules it"
      + " again); the benchmarks call it on the instances they made")
  public boolean stopTicking() {
    boolean cancelled = false;
    for (Schedule s : getSchedules()) {
      if ("tick".equals(s.callback())) {
        cancelled |= cancelSchedule(s.id());
      }
    }
    return cancelled;
  }

  @Callable(description = "The caller's connection id (its _pk)")
  public String whoami() {
    return currentConnection().id();
  }

  /** Not callable: public but unmarked, so clients get "Method secret is not callable". */
  public String secret() {
    return "hidden";
  }

  public void remind(String text) {
    State s = copy(state());
    s.lastReminder = text;
    setState(s);
  }

  public void tick() {
    State s = copy(state());
    s.ticks++;
    setState(s);
  }

  @Override
  public AgentResponse onRequest(AgentRequest request) {
    return AgentResponse.json(200, "{\"agent\":\"counter-agent\",\"name\":\"" + name()
        + "\",\"count\":" + state().count + ",\"path\":\"" + request.path() + "\"}");
  }

  private static void within(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max);
    }
  }

  private static void text(String name, String value) {
    if (value != null && value.length() > MAX_TEXT) {
      throw new IllegalArgumentException(name + " must be at most " + MAX_TEXT + " characters");
    }
  }

  private static State copy(State s) {
    State c = new State();
    c.count = s.count;
    c.messages = new ArrayList<>(s.messages);
    c.ticks = s.ticks;
    c.lastReminder = s.lastReminder;
    return c;
  }
}
