package dev.steadfast.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.ConnectContext;
import dev.steadfast.agent.store.AgentPersistence;
import dev.steadfast.workflow.engine.Databases;
import dev.steadfast.workflow.engine.LocalTransactor;
import dev.steadfast.workflow.engine.ScheduledWakeUpTimer;
import jakarta.persistence.EntityManagerFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Items 11-13 of issue 12: bounded inputs, slow clients, Errors that must not wedge anything. */
class AgentFaultsTest {
  private final List<AgentRuntime> runtimes = new ArrayList<>();
  private final List<EntityManagerFactory> emfs = new ArrayList<>();
  private ScheduledExecutorService scheduler;
  private final List<java.util.concurrent.ExecutorService> pools = new java.util.ArrayList<>();
  private DataSource db;

  @BeforeEach
  void setUp() {
    FaultAgents.LOG.clear();
    TestAgents.LOG.clear();
    scheduler = Executors.newScheduledThreadPool(2);
    db = Databases.h2();
  }

  @AfterEach
  void tearDown() {
    runtimes.forEach(AgentRuntime::stop);
    pools.forEach(java.util.concurrent.ExecutorService::shutdownNow);
    scheduler.shutdownNow();
    emfs.forEach(EntityManagerFactory::close);
  }

  private AgentRuntime runtime(AgentLimits limits) {
    return runtime(limits, AgentRuntime.DEFAULT_IDLE_EVICTION.toMillis(), type -> {
      try {
        return type.getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private AgentRuntime runtime(AgentLimits limits, long idleMillis, AgentFactory factory) {
    return runtime(limits, idleMillis, factory, Executors.newCachedThreadPool());
  }

  private AgentRuntime runtime(AgentLimits limits, long idleMillis, AgentFactory factory,
      java.util.concurrent.ExecutorService workers) {
    EntityManagerFactory emf = AgentPersistence.create(db);
    emfs.add(emf);
    List<Class<? extends Agent<?>>> classes = List.of(FaultAgents.ErrorAgent.class,
        TestAgents.TestStateAgent.class, TestAgents.PlainAgent.class);
    AgentRuntime rt = new AgentRuntime(classes, factory, new LocalTransactor(emf),
        new ScheduledWakeUpTimer(scheduler, Clock.systemUTC()), workers,
        scheduler, Clock.systemUTC(), new Retry(1, 10, 10));
    rt.setLimits(limits);
    rt.start(0, idleMillis);
    runtimes.add(rt);
    return rt;
  }

  private static void waitFor(BooleanSupplier cond, String what) {
    long end = System.currentTimeMillis() + 10_000;
    while (!cond.getAsBoolean()) {
      if (System.currentTimeMillis() > end) {
        throw new AssertionError("timed out waiting for " + what + "; log " + FaultAgents.LOG);
      }
      FakeWire.sleep(10);
    }
  }

  private static String rpc(String id, String method, String args) {
    return "{\"type\":\"rpc\",\"id\":\"" + id + "\",\"method\":\"" + method + "\",\"args\":"
        + args + "}";
  }

  // --- 13: Errors do not wedge

  @Test
  void anErrorDuringActivationDoesNotBlockLaterLookups() {
    AtomicInteger made = new AtomicInteger();
    AgentRuntime rt = runtime(AgentLimits.DEFAULT, 600_000, type -> {
      if (made.incrementAndGet() == 1) {
        throw new NoClassDefFoundError("com/example/NotYetDeployed");
      }
      return new FaultAgents.ErrorAgent();
    });
    assertThrows(NoClassDefFoundError.class, () -> rt.instance("error-agent", "a"));
    AgentInstance in = assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> rt.instance("error-agent", "a"), "the failed activation blocks the next lookup");
    assertSame(in, rt.instance("error-agent", "a"));
  }

  @Test
  void errorsInRpcsHooksAndStateFramesLeaveTheConnectionAndInstanceUsable() {
    AgentRuntime rt = runtime(AgentLimits.DEFAULT, 300, AgentFaultsTest::make);
    FakeWire w = FakeWire.connect(rt, "error-agent", "e", "c", Map.of());
    w.await("cf_agent_mcp_servers");
    w.session.text(rpc("1", "crash", "[]"));
    w.await("{\"type\":\"rpc\",\"id\":\"1\",\"success\":false,\"error\":\"com/example/Gone\"}");
    w.session.text("error"); // onMessage throws StackOverflowError
    waitFor(() -> FaultAgents.LOG.contains("error:StackOverflowError"), "onError");
    w.session.text("{\"type\":\"cf_agent_state\",\"state\":{\"assert\":1}}"); // AssertionError
    w.await("{\"type\":\"cf_agent_state_error\",\"error\":\"State update rejected\"}");
    w.session.text(rpc("2", "echo", "[\"still here\"]"));
    w.await("{\"type\":\"rpc\",\"id\":\"2\",\"success\":true,\"done\":true,\"result\":\"still here\"}");
    assertNull(w.closedWith);
    // nothing is left counted as busy: once the client leaves, the instance is evicted when idle
    AgentInstance in = rt.liveInstance("error-agent", "e");
    w.session.closed(1000, "bye");
    waitFor(() -> rt.liveInstance("error-agent", "e") == null, "eviction after the errors");
    assertTrue(in.evicted);
  }

  private static Agent<?> make(Class<? extends Agent<?>> type) {
    try {
      return type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  // --- 11: bounded inputs

  @Test
  void aFrameOverTheMessageLimitClosesWith1009AndNeverReachesTheAgent() {
    AgentRuntime rt = runtime(AgentLimits.DEFAULT.withMaxMessage(1_000));
    FakeWire w = FakeWire.connect(rt, "error-agent", "big", "c", Map.of());
    w.await("cf_agent_mcp_servers");
    w.session.text("y".repeat(1_001));
    waitFor(() -> w.closedWith != null, "close");
    assertEquals(1009, w.closedWith);
    FakeWire.sleep(100);
    assertTrue(FaultAgents.LOG.stream().noneMatch(l -> l.startsWith("message:y")));
    assertEquals(0, rt.connectionCount());
  }

  @Test
  void aStateOverTheLimitIsRefusedAndNothingChanges() {
    AgentRuntime rt = runtime(AgentLimits.DEFAULT.withMaxState(200));
    AgentInstance in = rt.instance("test-state-agent", "s");
    StateTooLargeException e = assertThrows(StateTooLargeException.class,
        () -> in.setState(Map.of("count", 1, "pad", "z".repeat(300))));
    assertTrue(e.getMessage().contains("steadfast.agents.max-state-size"), e.getMessage());
    FakeWire w = FakeWire.connect(rt, "test-state-agent", "s", "c", Map.of());
    w.await("cf_agent_mcp_servers");
    w.session.text("{\"type\":\"cf_agent_state\",\"state\":{\"count\":2,\"pad\":\""
        + "z".repeat(300) + "\"}}");
    w.await("{\"type\":\"cf_agent_state_error\",\"error\":\"State too large\"}");
    assertEquals("{\"count\":0}", rt.store().find("test-state-agent", "s").state);
  }

  @Test
  void connectionsPastTheServerLimitAreClosedWith1013() {
    AgentRuntime rt = runtime(AgentLimits.DEFAULT.withMaxConnections(2));
    FakeWire a = FakeWire.connect(rt, "plain-agent", "n", "a", Map.of());
    FakeWire b = FakeWire.connect(rt, "plain-agent", "m", "b", Map.of());
    FakeWire c = FakeWire.connect(rt, "plain-agent", "n", "c", Map.of());
    assertNull(c.session);
    waitFor(() -> c.closedWith != null, "refusal");
    assertEquals(1013, c.closedWith);
    assertTrue(c.frames.isEmpty());
    a.session.closed(1000, "bye");
    FakeWire d = FakeWire.connect(rt, "plain-agent", "n", "d", Map.of());
    assertNotNull(d.session);
    d.await("cf_agent_mcp_servers");
    assertNull(b.closedWith);
  }

  // --- 12: a slow client stalls nobody

  @Test
  void aClientThatNeverReadsIsClosedAndStallsNeitherTheAgentNorOtherClients() {
    AgentRuntime rt = runtime(AgentLimits.DEFAULT.withSendQueue(20_000));
    FakeWire slow = FakeWire.connect(rt, "error-agent", "room", "slow", Map.of());
    FakeWire fast = FakeWire.connect(rt, "error-agent", "room", "fast", Map.of());
    slow.await("cf_agent_mcp_servers");
    fast.await("cf_agent_mcp_servers");
    slow.stalled = true; // stops reading: no send to it completes any more
    // 30 state broadcasts of 2 KB: 60 KB for a client whose queue holds 20 KB. Its sends never
    // complete, so an agent that waited on them would never answer this call.
    fast.session.text(rpc("1", "fillPaced", "[30, 2000, 20]"));
    fast.await("{\"type\":\"rpc\",\"id\":\"1\",\"success\":true,\"done\":true,\"result\":30}");
    waitFor(() -> slow.closedWith != null, "the slow client closed");
    assertEquals(1013, slow.closedWith);
    assertEquals(30, fast.frames.stream().filter(f -> f.contains("cf_agent_state")).count());
    assertEquals(List.of("fast"), rt.instance("error-agent", "room").connections().stream()
        .map(c -> c.id()).toList());
  }

  @Test
  void aStateChangingCallIsAnsweredWhileItsBroadcastIsStillBeingWritten() throws Exception {
    // the server's agent workers are a bounded pool; here 4 threads, and 20 other clients whose
    // writes block the thread making them (a container with a blocking send)
    java.util.concurrent.ExecutorService workers = Executors.newFixedThreadPool(4);
    AgentRuntime rt = runtime(AgentLimits.DEFAULT, AgentRuntime.DEFAULT_IDLE_EVICTION.toMillis(),
        type -> {
          try {
            return type.getDeclaredConstructor().newInstance();
          } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
          }
        }, workers);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    List<FakeWire> others = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        FakeWire o = FakeWire.connect(rt, "error-agent", "crowd", "o" + i, Map.of());
        o.await("cf_agent_mcp_servers");
        o.blockUntil = release;
        others.add(o);
      }
      FakeWire caller = FakeWire.connect(rt, "error-agent", "crowd", "caller", Map.of());
      caller.await("cf_agent_mcp_servers");
      // fill(1, 10) sets the state once: a broadcast to all 21 clients, then the reply
      caller.session.text(rpc("1", "fill", "[1, 10]"));
      caller.await("{\"type\":\"rpc\",\"id\":\"1\",\"success\":true");
      assertTrue(caller.frames.stream().anyMatch(f -> f.contains("cf_agent_state")),
          "the caller got the state before its reply");
      assertTrue(others.stream().allMatch(o -> o.frames.stream()
          .noneMatch(f -> f.contains("cf_agent_state"))), "no other client has it yet");
      release.countDown();
      for (FakeWire o : others) {
        o.await("cf_agent_state");
      }
    } finally {
      release.countDown();
      pools.add(workers); // shut down after the runtime, which closes its connections on it
    }
  }

  @Test
  void aBroadcastHandsTheContainerAtMostAWindowOfFramesAtOnce() {
    // a container queues an event per pending write (Payara: 4,096 at most, then it refuses
    // work and clients miss frames); a broadcast to more clients than the window waits for
    // frames to go out before it starts more
    AgentRuntime rt = runtime(AgentLimits.DEFAULT.withSendTimeout(Duration.ofMinutes(1)));
    int n = BroadcastDriver.WINDOW + 200;
    List<FakeWire> clients = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      FakeWire w = FakeWire.connect(rt, "error-agent", "crowd", "c" + i, Map.of());
      w.await("cf_agent_mcp_servers");
      w.stalled = true; // sends are handed over but do not complete until released below
      clients.add(w);
    }
    rt.instance("error-agent", "crowd").broadcast("the broadcast frame", List.of());
    java.util.function.IntSupplier handedOver = () -> (int) clients.stream()
        .filter(w -> w.frames.contains("the broadcast frame")).count();
    waitFor(() -> handedOver.getAsInt() >= BroadcastDriver.WINDOW, "a window's worth");
    FakeWire.sleep(300);
    assertEquals(BroadcastDriver.WINDOW, handedOver.getAsInt(),
        "frames handed over before any went out");
    for (FakeWire w : clients) {
      w.stalled = false;
      w.pending.forEach(done -> done.accept(null)); // gone out
    }
    waitFor(() -> handedOver.getAsInt() == n, "every client got the frame");
    assertTrue(clients.stream().allMatch(w -> w.closedWith == null), "nobody was closed");
  }

  @Test
  void aBroadcastHandedOutInSlicesReachesEveryClientWithItsFramesInOrder() {
    // more connections than two slices (one task per core, each at least DRIVE_SLICE), and an
    // odd count: no connection is left out or written twice, and each gets the frames in order
    AgentRuntime rt = runtime(AgentLimits.DEFAULT);
    int n = 2 * BroadcastDriver.SLICE + 7;
    List<FakeWire> clients = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      FakeWire w = FakeWire.connect(rt, "error-agent", "slices", "c" + i, Map.of());
      w.await("cf_agent_mcp_servers");
      clients.add(w);
    }
    AgentInstance in = rt.instance("error-agent", "slices");
    for (int b = 1; b <= 3; b++) {
      in.broadcast("frame " + b, List.of());
    }
    waitFor(() -> clients.stream().allMatch(w -> w.frames.contains("frame 3")),
        "every client got the last frame");
    for (FakeWire w : clients) {
      List<String> got = w.frames.stream().filter(f -> f.startsWith("frame ")).toList();
      assertEquals(List.of("frame 1", "frame 2", "frame 3"), got);
    }
  }

  @Test
  void aSendThatNeverCompletesTimesOut() {
    AgentRuntime rt = runtime(AgentLimits.DEFAULT.withSendTimeout(Duration.ofMillis(400)));
    FakeWire slow = FakeWire.connect(rt, "error-agent", "t", "slow", Map.of());
    slow.await("cf_agent_mcp_servers");
    slow.stalled = true;
    rt.instance("error-agent", "t").broadcast("one small frame", List.of());
    waitFor(() -> slow.closedWith != null, "the stalled send given up");
    assertEquals(1013, slow.closedWith);
    assertEquals(0, rt.connectionCount());
  }

  @Test
  void aFrameTheContainerCannotSendClosesTheConnection() {
    AgentRuntime rt = runtime(AgentLimits.DEFAULT);
    FakeWire w = FakeWire.connect(rt, "error-agent", "f", "c", Map.of());
    w.await("cf_agent_mcp_servers");
    w.failing = true; // e.g. the container's own write queue for this client is full
    rt.instance("error-agent", "f").broadcast("lost", List.of());
    waitFor(() -> w.closedWith != null, "the close after a lost frame");
    assertEquals(1013, w.closedWith);
    assertEquals(0, rt.connectionCount());
  }

  // --- issue 8: the text heartbeat

  @Test
  void aTextPingIsAnsweredPongAndNeverReachesOnMessage() {
    AgentRuntime rt = runtime(AgentLimits.DEFAULT);
    FakeWire w = FakeWire.connect(rt, "error-agent", "hb", "c", Map.of());
    w.await("cf_agent_mcp_servers");
    w.session.text("ping");
    w.await("pong"::equals);
    w.session.text("pingx");
    waitFor(() -> FaultAgents.LOG.contains("message:pingx"), "an ordinary message");
    assertFalse(FaultAgents.LOG.contains("message:ping"));
  }

  // --- issue 8: refusals the client will not retry

  @Test
  void capnWebAndSubAgentRoutesAreRefusedWithFinalCodes() {
    AgentRuntime rt = runtime(AgentLimits.DEFAULT);
    ConnectContext capn = new ConnectContext("plain-agent", "x", "c",
        Map.of("__agents_transport", "capnweb"), Map.of());
    String r = AgentEndpoint.refusal(rt, Map.of("agent", "plain-agent", "name", "x"), capn);
    assertEquals("Transport capnweb is not supported", r);
    ConnectContext plain = new ConnectContext("plain-agent", "x", "c", Map.of(), Map.of());
    assertEquals("Sub-agents are not supported", AgentEndpoint.refusal(rt,
        Map.of("agent", "plain-agent", "name", "x", "p1", "sub", "p2", "child", "p3", "c1"),
        plain));
    assertNull(AgentEndpoint.refusal(rt, Map.of("agent", "plain-agent", "name", "x", "p1", "sub"),
        plain));
    assertTrue(new AgentRoutes("agents").match("/agents/plain-agent/x/sub/child/c1").subAgent());
    assertFalse(new AgentRoutes("agents").match("/agents/plain-agent/x/sub/child").subAgent());
  }
}
