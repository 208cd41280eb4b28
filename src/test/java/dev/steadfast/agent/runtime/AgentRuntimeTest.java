package dev.steadfast.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.Schedule;
import dev.steadfast.agent.store.AgentPersistence;
import dev.steadfast.workflow.engine.CronExpression;
import dev.steadfast.workflow.engine.Databases;
import jakarta.persistence.EntityManagerFactory;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The runtime on H2 without a server: state, protocol frames, RPC, schedules, queue. */
class AgentRuntimeTest {
  /** The database under test; the PostgreSQL variant overrides it. */
  DataSource newDatabase() {
    return Databases.h2();
  }

  private final List<AgentRuntime> runtimes = new ArrayList<>();
  private final List<EntityManagerFactory> emfs = new ArrayList<>();
  private ScheduledExecutorService scheduler;
  private DataSource db;

  @BeforeEach
  void setUp() {
    TestAgents.LOG.clear();
    TestAgents.MAX_RUNNING.set(0);
    TestAgents.HUNG.clear();
    scheduler = Executors.newScheduledThreadPool(2);
    db = newDatabase();
  }

  @AfterEach
  void tearDown() {
    TestAgents.HUNG.forEach(f -> f.complete(null)); // releases the threads of hung runs
    runtimes.forEach(AgentRuntime::stop);
    scheduler.shutdownNow();
    emfs.forEach(EntityManagerFactory::close);
  }

  @SuppressWarnings("unchecked")
  private AgentRuntime runtime() {
    return runtime(0);
  }

  private AgentRuntime runtime(long pingMillis) {
    return runtime(pingMillis, Clock.systemUTC());
  }

  private AgentRuntime runtime(long pingMillis, Clock clock) {
    return runtime(pingMillis, AgentRuntime.DEFAULT_IDLE_EVICTION.toMillis(), clock);
  }

  @SuppressWarnings("unchecked")
  private AgentRuntime runtime(long pingMillis, long idleMillis, Clock clock) {
    EntityManagerFactory emf = AgentPersistence.create(db);
    emfs.add(emf);
    List<Class<? extends Agent<?>>> classes = List.of(TestAgents.PlainAgent.class,
        TestAgents.TestStateAgent.class, TestAgents.WorkAgent.class);
    AgentRuntime rt = TestRuntimes.create(emf, classes, scheduler, clock, new Retry(3, 10, 50));
    rt.start(pingMillis, idleMillis);
    runtimes.add(rt);
    return rt;
  }

  private static void waitFor(java.util.function.BooleanSupplier cond, String what) {
    long end = System.currentTimeMillis() + 15_000;
    while (!cond.getAsBoolean()) {
      if (System.currentTimeMillis() > end) {
        throw new AssertionError("timed out waiting for " + what + "; log " + TestAgents.LOG);
      }
      FakeWire.sleep(10);
    }
  }

  @Test
  void kebabRoutingNames() {
    assertEquals("test-state-agent", AgentNames.kebab("TestStateAgent"));
    assertEquals("a-i-assistant", AgentNames.kebab("AIAssistant"));
    assertEquals("agent2-go", AgentNames.kebab("Agent2Go"));
    assertEquals("my-agent", AgentNames.kebab("MY_AGENT"));
  }

  @Test
  void falsyStatesRoundTripThroughTheDatabase() {
    AgentRuntime rt = runtime();
    Object[] values = {null, 0, false, ""};
    for (int i = 0; i < values.length; i++) {
      rt.instance("plain-agent", "falsy" + i).setState(values[i]);
    }
    runtimes.remove(rt);
    rt.stop();
    AgentRuntime again = runtime();
    for (int i = 0; i < values.length; i++) {
      FakeWire w = FakeWire.connect(again, "plain-agent", "falsy" + i, "c", Map.of());
      String expected = new Codec().write(values[i]);
      w.await("\"stateFollows\":true");
      w.await("{\"type\":\"cf_agent_state\",\"state\":" + expected + "}");
    }
  }

  @Test
  void noStateMeansNoStateFrameAndInitialStateIsPersistedOnFirstRead() {
    AgentRuntime rt = runtime();
    FakeWire w = FakeWire.connect(rt, "plain-agent", "empty", "c1", Map.of());
    String identity = w.await("cf_agent_identity");
    assertFalse(identity.contains("stateFollows"));
    w.await("cf_agent_mcp_servers");
    assertTrue(w.frames.stream().noneMatch(f -> f.contains("\"cf_agent_state\"")));
    assertEquals("start:empty", TestAgents.LOG.get(0)); // onStart before anything else

    FakeWire s = FakeWire.connect(rt, "test-state-agent", "init", "c1", Map.of());
    s.await("{\"type\":\"cf_agent_state\",\"state\":{\"count\":0}}");
    assertEquals("{\"count\":0}", rt.store().find("test-state-agent", "init").state);
  }

  @Test
  void clientStateReachesOthersNotTheSenderAndServerStateReachesAll() {
    AgentRuntime rt = runtime();
    FakeWire a = FakeWire.connect(rt, "test-state-agent", "room", "a", Map.of());
    FakeWire b = FakeWire.connect(rt, "test-state-agent", "room", "b", Map.of());
    a.await("cf_agent_mcp_servers");
    b.await("cf_agent_mcp_servers");
    a.session.text("{\"type\":\"cf_agent_state\",\"state\":{\"count\":5}}");
    b.await("{\"count\":5}");
    waitFor(() -> TestAgents.LOG.contains("changed:a"), "onStateChanged from a");
    assertTrue(a.frames.stream().noneMatch(f -> f.contains("\"count\":5")), "echoed to sender");

    rt.instance("test-state-agent", "room").setState(Map.of("count", 7));
    a.await("{\"count\":7}");
    b.await("{\"count\":7}");
    assertTrue(TestAgents.LOG.contains("changed:server"));
  }

  @Test
  void readonlyAndRejectedStateUpdatesAnswerWithStateErrors() {
    AgentRuntime rt = runtime();
    FakeWire ro = FakeWire.connect(rt, "test-state-agent", "r", "ro", Map.of("readonly", "true"));
    FakeWire other = FakeWire.connect(rt, "test-state-agent", "r", "other", Map.of());
    ro.session.text("{\"type\":\"cf_agent_state\",\"state\":{\"count\":1}}");
    ro.await("{\"type\":\"cf_agent_state_error\",\"error\":\"Connection is readonly\"}");
    other.session.text("{\"type\":\"cf_agent_state\",\"state\":{\"count\":-1}}");
    other.await("{\"type\":\"cf_agent_state_error\",\"error\":\"State update rejected\"}");
    assertEquals("{\"count\":0}", rt.store().find("test-state-agent", "r").state);
    assertTrue(ro.frames.stream().noneMatch(f -> f.contains("\"count\":-1")));
    ro.session.text(rpc("9", "set", "[4]"));
    ro.await("{\"type\":\"rpc\",\"id\":\"9\",\"success\":false,\"error\":\"Connection is readonly\"}");
    // server-side: validation errors reach the caller
    assertThrows(IllegalArgumentException.class,
        () -> rt.instance("test-state-agent", "r").setState(Map.of("count", -5)));
  }

  @Test
  void throwingHooksGoToOnErrorAndNeverUndoState() {
    AgentRuntime rt = runtime();
    FakeWire w = FakeWire.connect(rt, "test-state-agent", "h", "x", Map.of("explode", "true"));
    w.await("cf_agent_mcp_servers");
    waitFor(() -> TestAgents.LOG.contains("error:connect hook failed"), "onError");
    FakeWire other = FakeWire.connect(rt, "test-state-agent", "h", "y", Map.of());
    other.await("cf_agent_mcp_servers");
    w.session.text("{\"type\":\"cf_agent_state\",\"state\":{\"count\":13}}");
    other.await("{\"count\":13}");
    waitFor(() -> TestAgents.LOG.contains("error:unlucky"), "onError of onStateChanged");
    assertEquals("{\"count\":13}", rt.store().find("test-state-agent", "h").state);
    // garbage goes to onMessage and the connection stays usable
    w.session.text("not json {");
    w.session.text("{\"type\":\"rpc\",\"id\":\"1\",\"method\":\"noop\",\"args\":null}");
    waitFor(() -> TestAgents.LOG.contains("message:not json {"), "onMessage");
    w.session.text("{\"type\":\"rpc\",\"id\":\"2\",\"method\":\"noop\",\"args\":[]}");
    w.await("\"id\":\"2\"");
    assertNull(w.closedWith);
  }

  @Test
  void rpcRepliesForResultsVoidNullErrorsAndStreams() {
    AgentRuntime rt = runtime();
    FakeWire w = FakeWire.connect(rt, "test-state-agent", "rpc", "c", Map.of());
    w.session.text(rpc("1", "set", "[3]"));
    w.session.text(rpc("2", "noop", "[]"));
    w.session.text(rpc("3", "nothing", "[]"));
    w.session.text(rpc("4", "boom", "[]"));
    w.session.text(rpc("5", "hidden", "[]"));
    w.session.text(rpc("6", "missing", "[]"));
    w.session.text(rpc("7", "chunks", "[2]"));
    w.await("{\"type\":\"rpc\",\"id\":\"1\",\"success\":true,\"done\":true,\"result\":3}");
    w.await("{\"type\":\"rpc\",\"id\":\"2\",\"success\":true,\"done\":true}");
    w.await("{\"type\":\"rpc\",\"id\":\"3\",\"success\":true,\"done\":true,\"result\":null}");
    w.await("{\"type\":\"rpc\",\"id\":\"4\",\"success\":false,\"error\":\"it broke\"}");
    w.await("\"error\":\"Method hidden is not callable\"");
    w.await("\"error\":\"Method missing does not exist\"");
    w.await("{\"type\":\"rpc\",\"id\":\"7\",\"success\":true,\"done\":true,\"result\":\"done\"}");
    List<String> stream = w.frames.stream().filter(f -> f.contains("\"id\":\"7\"")).toList();
    assertEquals(3, stream.size(), "late send after end is dropped: " + stream);
    assertTrue(stream.get(0).contains("\"done\":false,\"result\":\"c0\""));
    assertEquals(1, rt.instance("test-state-agent", "rpc").agent().getCallableMethods()
        .values().stream().filter(c -> c.streaming()).count());
  }

  @Test
  void metricsCountConnectionsRpcsErrorsAndBroadcasts() {
    AgentRuntime rt = runtime();
    FakeWire a = FakeWire.connect(rt, "test-state-agent", "metrics", "a", Map.of());
    FakeWire b = FakeWire.connect(rt, "test-state-agent", "metrics", "b", Map.of());
    a.await("cf_agent_mcp_servers");
    b.await("cf_agent_mcp_servers");
    a.session.text(rpc("1", "set", "[3]")); // changes the state: one broadcast to both
    a.session.text(rpc("2", "boom", "[]"));
    a.session.text(rpc("3", "missing", "[]"));
    a.await("\"id\":\"1\"");
    a.await("\"id\":\"2\"");
    a.await("\"id\":\"3\"");
    b.await("{\"count\":3}");
    dev.steadfast.workflow.engine.metrics.PrometheusText text =
        new dev.steadfast.workflow.engine.metrics.PrometheusText();
    rt.metrics().collect(text);
    var s = new dev.steadfast.workflow.engine.metrics.Scrape(text.toString());
    String agent = "{agent=\"test-state-agent\"}";
    assertEquals(2, s.value("steadfast_agent_connections"));
    assertEquals(1, s.value("steadfast_agent_live_instances"));
    assertEquals(2, s.value("steadfast_agent_connections_opened_total" + agent));
    assertEquals(3, s.value("steadfast_agent_rpcs_total" + agent));
    assertEquals(2, s.value("steadfast_agent_rpc_errors_total" + agent));
    assertEquals(1, s.value("steadfast_agent_broadcasts_total" + agent));
    assertEquals(2, s.value("steadfast_agent_broadcast_frames_total" + agent));
  }

  private static String rpc(String id, String method, String args) {
    return "{\"type\":\"rpc\",\"id\":\"" + id + "\",\"method\":\"" + method + "\",\"args\":"
        + args + "}";
  }

  @Test
  void scheduleKindsListAndCancel() {
    AgentRuntime rt = runtime();
    AgentInstance in = rt.instance("work-agent", "s");
    Schedule delayed = in.agent().schedule(0, "record", "delayed");
    assertEquals(Schedule.Type.delayed, delayed.type());
    assertEquals(0L, delayed.delayInSeconds());
    Schedule at = in.agent().schedule(Instant.now().plusMillis(200), "record", "at");
    assertEquals(Schedule.Type.scheduled, at.type());
    Schedule cron = in.agent().schedule("*/5 * * * *", "record", "cron");
    assertEquals("*/5 * * * *", cron.cron());
    assertEquals(cron.id(), in.agent().schedule("*/5 * * * *", "record", "cron").id(),
        "cron is idempotent");
    Schedule later = in.agent().schedule(3600, "record", "later");
    waitFor(() -> TestAgents.LOG.contains("delayed") && TestAgents.LOG.contains("at"), "one-shots");
    waitFor(() -> in.agent().getSchedule(at.id()) == null, "one-shot deleted after running");
    assertEquals(List.of(cron.id()), in.agent().getSchedules(Schedule.Type.cron, null, null)
        .stream().map(Schedule::id).toList());
    assertEquals(2, in.agent().getSchedules().size());
    assertEquals(1, in.agent().getSchedules(null, Instant.now().plusSeconds(1800), null).size());
    assertTrue(in.agent().cancelSchedule(later.id()));
    assertFalse(in.agent().cancelSchedule(later.id()));
    assertThrows(IllegalArgumentException.class, () -> in.agent().schedule(1, "nope", null));
    assertThrows(IllegalArgumentException.class, () -> in.agent().scheduleEvery(0, "record", null));
  }

  @Test
  void intervalsAreIdempotentAndNeverOverlap() {
    AgentRuntime rt = runtime();
    AgentInstance in = rt.instance("work-agent", "i");
    Schedule first = in.agent().scheduleEvery(1, "slow", "tick");
    assertEquals(first.id(), in.agent().scheduleEvery(1, "slow", "tick").id());
    assertNotNull(in.agent().scheduleEvery(2, "slow", "tick"), "another interval is another");
    assertEquals(2, in.agent().getSchedules(Schedule.Type.interval, null, null).size());
    in.agent().cancelSchedule(in.agent().getSchedules().stream()
        .filter(s -> s.intervalSeconds() == 2).findFirst().orElseThrow().id());
    waitFor(() -> TestAgents.LOG.stream().filter("tick"::equals).count() >= 2, "two runs");
    assertEquals(1, TestAgents.MAX_RUNNING.get(), "runs of one interval overlapped");
    assertNotNull(in.agent().getSchedule(first.id()), "interval kept after runs");
  }

  @Test
  void aRunLongerThanThirtySecondsIsNotStartedAgainWhileItsServerLives() {
    MutableClock clock = new MutableClock();
    AgentRuntime rt = runtime(0, clock);
    AgentInstance in = rt.instance("work-agent", "hung");
    Schedule s = in.agent().scheduleEvery(1, "hang", "run");
    waitFor(() -> runs("run") == 1, "first run");
    rt.schedules().poll(); // due again, but the run is marked and young: skipped
    FakeWire.sleep(300);
    assertEquals(1, runs("run"), "a running interval was started twice");
    for (int i = 0; i < 4; i++) { // two minutes of a run that goes on, its mark renewed
      clock.advance(Schedules.RENEW_MILLIS + 1_000);
      rt.schedules().renew();
      rt.schedules().poll();
    }
    FakeWire.sleep(300);
    assertEquals(1, runs("run"), "a run still going was started a second time");

    // its server dies: nobody renews the mark, and after 30 s another server replaces the run
    runtimes.remove(rt);
    rt.stop();
    AgentRuntime other = runtime(0, clock);
    clock.advance(Schedules.HANG_MILLIS + 1_000);
    other.schedules().poll();
    waitFor(() -> runs("run") == 2, "the dead server's run replaced");
    assertNotNull(other.instance("work-agent", "hung").agent().getSchedule(s.id()),
        "interval kept");
  }

  @Test
  void idleInstancesAreEvictedAndComeBackWithTheirState() {
    AgentRuntime rt = runtime(0, 300, Clock.systemUTC());
    rt.instance("plain-agent", "ev").setState(Map.of("n", 5));
    waitFor(() -> rt.liveInstance("plain-agent", "ev") == null, "eviction of an unused instance");

    FakeWire w = FakeWire.connect(rt, "plain-agent", "ev", "c", Map.of());
    w.await("{\"type\":\"cf_agent_state\",\"state\":{\"n\":5}}"); // reloaded from the store
    assertEquals(2, runs("start:ev"), "onStart again on re-activation");
    FakeWire.sleep(900);
    assertNotNull(rt.liveInstance("plain-agent", "ev"), "evicted with a connection open");
    w.session.closed(1000, "bye");
    waitFor(() -> rt.liveInstance("plain-agent", "ev") == null, "eviction after the close");

    // work under way keeps an instance: a hung schedule run, then a slow RPC
    AgentInstance busy = rt.instance("work-agent", "ev");
    busy.agent().schedule(0, "hang", "busy");
    waitFor(() -> runs("busy") == 1, "the run started");
    FakeWire.sleep(900);
    assertTrue(rt.liveInstance("work-agent", "ev") == busy, "evicted during a schedule run");
    TestAgents.HUNG.forEach(f -> f.complete(null));
    waitFor(() -> rt.liveInstance("work-agent", "ev") == null, "eviction after the run");
    assertTrue(busy.evicted);
  }

  private static long runs(String what) {
    return TestAgents.LOG.stream().filter(what::equals).count();
  }

  @Test
  void queueIsFifoAndAFailingItemDoesNotBlock() {
    AgentRuntime rt = runtime();
    AgentInstance in = rt.instance("work-agent", "q");
    in.exclusive(() -> {
      // enqueued while holding the instance so the drainer starts only after all four
      in.agent().queue("record", "a");
      in.agent().queue("fails", "bad");
      in.agent().queue("record", "b");
      String c = in.agent().queue("record", "c");
      assertEquals("c", in.agent().getQueue(c).payload());
    });
    waitFor(() -> TestAgents.LOG.contains("c"), "queue drained");
    assertEquals(List.of("a", "bad", "bad", "bad", "b", "c"), TestAgents.LOG);
    waitFor(() -> in.agent().getQueueItems().isEmpty(), "queue empty");
    // dequeued while the instance is held, before the drainer can reach it: it never runs
    in.exclusive(() -> {
      String d = in.agent().queue("record", "never");
      assertTrue(in.agent().dequeue(d), "a waiting item not dequeued");
      assertFalse(in.agent().dequeue(d), "dequeued twice");
    });
    FakeWire.sleep(300);
    assertFalse(TestAgents.LOG.contains("never"), "a dequeued item ran");
  }

  @Test
  void schedulesSurviveARestart() {
    AgentRuntime rt = runtime();
    rt.instance("work-agent", "r").agent().schedule(1, "record", "after-restart");
    runtimes.remove(rt);
    rt.stop();
    scheduler.shutdownNow(); // the old timer is gone, as after kill -9
    scheduler = Executors.newScheduledThreadPool(2);
    runtime();
    waitFor(() -> TestAgents.LOG.contains("after-restart"), "schedule after restart");
  }

  @Test
  void idleConnectionsArePingedAndClosedWhenThePongNeverComes() {
    AgentRuntime rt = runtime(200);
    FakeWire alive = FakeWire.connect(rt, "plain-agent", "p", "alive", Map.of());
    FakeWire dead = FakeWire.connect(rt, "plain-agent", "p", "dead", Map.of());
    long end = System.currentTimeMillis() + 3_000;
    while (System.currentTimeMillis() < end) {
      if (alive.pings.get() > 0) {
        alive.session.seen(); // the pong
      }
      FakeWire.sleep(20);
    }
    assertTrue(dead.pings.get() >= 1, "idle connection not pinged");
    assertEquals(1001, dead.closedWith, "silent connection not closed");
    assertNull(alive.closedWith, "answering connection closed");
  }

  @Test
  void cronExpressions() {
    Instant t = Instant.parse("2025-03-01T10:07:30Z"); // a Saturday
    assertEquals(Instant.parse("2025-03-01T10:15:00Z"), CronExpression.parse("*/15 * * * *").next(t));
    assertEquals(Instant.parse("2025-03-03T09:00:00Z"), CronExpression.parse("0 9 * * 1-5").next(t));
    assertEquals(Instant.parse("2025-03-01T11:05:00Z"), CronExpression.parse("5,40 11 * * *").next(t));
    assertEquals(Instant.parse("2025-04-01T00:00:00Z"), CronExpression.parse("0 0 1 * *").next(t));
    assertEquals(Instant.parse("2025-03-02T00:00:00Z"), CronExpression.parse("0 0 * * 7").next(t));
    assertEquals(Instant.parse("2025-03-01T10:08:00Z"), CronExpression.parse("* * * * *").next(t));
    assertEquals(Instant.parse("2025-03-01T12:00:00Z"),
        CronExpression.parse("0 0-23/6 * * *").next(t));
    // both day fields restricted: either matches (the 15th or any Monday)
    assertEquals(Instant.parse("2025-03-03T00:00:00Z"), CronExpression.parse("0 0 15 * 1").next(t));
    assertFalse(CronExpression.isValid("* * * *"));
    assertFalse(CronExpression.isValid("61 * * * *"));
    assertFalse(CronExpression.isValid("a * * * *"));
  }
}
