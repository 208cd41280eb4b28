package dev.steadfast.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.ConnectContext;
import dev.steadfast.agent.store.AgentPersistence;
import dev.steadfast.workflow.engine.Databases;
import jakarta.persistence.EntityManagerFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two servers on one database (two runtimes here) never both run a live copy of one agent
 * instance, so they never both drain its queue: the second is refused clearly until the first
 * lets the instance go (eviction, shutdown) or dies (its lease runs out).
 */
class AgentOwnershipTest {
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
    scheduler = Executors.newScheduledThreadPool(2);
    db = newDatabase();
  }

  @AfterEach
  void tearDown() {
    runtimes.forEach(AgentRuntime::stop);
    scheduler.shutdownNow();
    emfs.forEach(EntityManagerFactory::close);
  }

  private AgentRuntime server(String id, Clock clock, long idleMillis) {
    return server(id, clock, idleMillis, Duration.ofSeconds(30));
  }

  private AgentRuntime server(String id, Clock clock, long idleMillis, Duration lease) {
    EntityManagerFactory emf = AgentPersistence.create(db);
    emfs.add(emf);
    List<Class<? extends Agent<?>>> classes = List.of(TestAgents.PlainAgent.class,
        TestAgents.WorkAgent.class);
    AgentRuntime rt = TestRuntimes.create(emf, classes, scheduler, clock, new Retry(1, 10, 10));
    rt.setOwner(id, lease);
    rt.start(0, idleMillis);
    runtimes.add(rt);
    return rt;
  }

  @Test
  void aSecondServerIsRefusedWhileTheFirstHoldsTheInstance() {
    AgentRuntime a = server("server-a", Clock.systemUTC(), 600_000);
    AgentRuntime b = server("server-b", Clock.systemUTC(), 600_000);
    a.instance("plain-agent", "shared").setState(Map.of("n", 1));
    AgentElsewhereException e = assertThrows(AgentElsewhereException.class,
        () -> b.instance("plain-agent", "shared"));
    assertEquals("server-a", e.server());
    assertTrue(e.getMessage().contains("plain-agent/shared is live on server server-a"));
    assertThrows(AgentElsewhereException.class,
        () -> FakeWire.connect(b, "plain-agent", "shared", "c", Map.of()));
    assertEquals(0, b.connectionCount(), "a refused connection stays counted");
    assertNotNull(b.instance("plain-agent", "other"), "other instances are not affected");

    // a clean shutdown lets go at once
    runtimes.remove(a);
    a.stop();
    FakeWire w = FakeWire.connect(b, "plain-agent", "shared", "c", Map.of());
    w.await("{\"type\":\"cf_agent_state\",\"state\":{\"n\":1}}");
  }

  @Test
  void aClientOfADeadServersAgentIsServedOnceTheLeaseRunsOutWithWhatItSentMeanwhile() {
    AgentRuntime a = server("server-a", Clock.systemUTC(), 600_000, Duration.ofSeconds(2));
    AgentRuntime b = server("server-b", Clock.systemUTC(), 600_000, Duration.ofSeconds(2));
    a.instance("plain-agent", "failover").setState(Map.of("n", 7));
    a.abandon(); // a dies holding it: nothing released, its lease runs out on its own
    long t0 = System.nanoTime();
    FakeWire w = new FakeWire();
    AgentEndpoint.Held held = new AgentEndpoint.Held(w);
    java.util.concurrent.atomic.AtomicReference<ClientSession> served =
        new java.util.concurrent.atomic.AtomicReference<>();
    b.connectWhenFree(new ConnectContext("plain-agent", "failover", "c", Map.of(), Map.of()), w,
        () -> true, s -> {
          served.set(s);
          held.attach(s, true);
        });
    // the client does not wait for the state before it calls: held until the agent is live here
    held.text("{\"type\":\"rpc\",\"id\":\"r1\",\"method\":\"put\",\"args\":[{\"n\":8}]}");
    w.await("{\"type\":\"cf_agent_state\",\"state\":{\"n\":7}}");
    assertNull(w.closedWith, "not sent away while the dead server's lease ran out");
    assertTrue(System.nanoTime() - t0 >= 1_000_000_000L, "served only once the lease ran out");
    w.await(f -> f.contains("\"id\":\"r1\"") && f.contains("\"success\":true"));
    w.await("{\"type\":\"cf_agent_state\",\"state\":{\"n\":8}}");
    assertNotNull(served.get());
  }

  @Test
  void aClientOfALiveServersAgentIsSentAwayWith1013OnceItsLeaseIsRenewed() {
    // a 6 s lease, renewed every 2 s: a dead holder would be waited for 8 s
    AgentRuntime a = server("server-a", Clock.systemUTC(), 600_000, Duration.ofSeconds(6));
    AgentRuntime b = server("server-b", Clock.systemUTC(), 600_000, Duration.ofSeconds(6));
    a.instance("plain-agent", "busy").setState(Map.of("n", 1)); // a lives and renews
    long t0 = System.nanoTime();
    FakeWire w = new FakeWire();
    java.util.concurrent.atomic.AtomicBoolean served = new java.util.concurrent.atomic.AtomicBoolean();
    b.connectWhenFree(new ConnectContext("plain-agent", "busy", "c", Map.of(), Map.of()), w,
        () -> true, s -> served.set(true));
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (w.closedWith == null && System.nanoTime() < end) {
      FakeWire.sleep(20);
    }
    assertEquals(1013, w.closedWith);
    assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(6).toNanos(),
        "sent away once the holder renewed, not after waiting out its lease");
    assertTrue(!served.get() && w.frames.isEmpty(), "never served: " + w.frames);
    assertEquals(0, b.connectionCount());
  }

  @Test
  void serversWhoseClocksDisagreeStillAgreeWhoHoldsAnInstance() {
    // a's clock is an hour behind, b's an hour ahead: on their own clocks a's lease would have
    // run out long ago for b; on the database's clock it holds for its 3 seconds, renewed
    Duration lease = Duration.ofSeconds(3);
    AgentRuntime a = server("server-a",
        Clock.offset(Clock.systemUTC(), Duration.ofHours(-1)), 600_000, lease);
    AgentRuntime b = server("server-b",
        Clock.offset(Clock.systemUTC(), Duration.ofHours(1)), 600_000, lease);
    a.instance("plain-agent", "skewed").setState(Map.of("n", 1));
    AgentElsewhereException e = assertThrows(AgentElsewhereException.class,
        () -> b.instance("plain-agent", "skewed"));
    assertEquals("server-a", e.server());
    // a's renewals keep it past the first lease
    FakeWire.sleep(4_500);
    assertThrows(AgentElsewhereException.class, () -> b.instance("plain-agent", "skewed"));
  }

  @Test
  void aServerThatLostItsLeaseCannotOverwriteTheNewOwnerAndLetsGo() {
    Duration lease = Duration.ofMillis(1_500);
    AgentRuntime a = server("server-a", Clock.systemUTC(), 600_000, lease);
    AgentInstance stale = a.instance("plain-agent", "split");
    stale.setState(Map.of("n", 1));
    FakeWire client = FakeWire.connect(a, "plain-agent", "split", "c", Map.of());
    client.await("{\"type\":\"cf_agent_state\",\"state\":{\"n\":1}}");
    // a stalls (nothing renews its lease); b takes the instance once the lease ran out
    a.abandon();
    AgentRuntime b = server("server-b", Clock.systemUTC(), 600_000, lease);
    AgentInstance fresh = TestRuntimes.takeWhenFree(b, "plain-agent", "split", 10);
    fresh.setState(Map.of("n", 2));
    // a wakes up: its late write is refused, the new owner's state stands
    dev.steadfast.agent.store.OwnershipLostException refused = assertThrows(
        dev.steadfast.agent.store.OwnershipLostException.class,
        () -> stale.setState(Map.of("n", 3)));
    assertEquals("server-b", refused.holder());
    assertEquals("{\"n\":2}", b.store().find("plain-agent", "split").state);
    // and a let go of its copy: the next lookup is refused, its client told to reconnect
    assertNull(a.liveInstance("plain-agent", "split"));
    assertThrows(AgentElsewhereException.class, () -> a.instance("plain-agent", "split"));
    // the close frame goes out through the connection's writer, after what was queued before it
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (client.closedWith == null && System.nanoTime() < end) {
      FakeWire.sleep(10);
    }
    assertEquals(Integer.valueOf(1001), client.closedWith, "the client reconnects elsewhere");
  }

  @Test
  void aRenewalFindingTheLeaseTakenLetsGoOfTheInstance() {
    Duration lease = Duration.ofMillis(1_500);
    AgentRuntime a = server("server-a", Clock.systemUTC(), 600_000, lease);
    a.instance("plain-agent", "moved");
    a.abandon();
    AgentRuntime b = server("server-b", Clock.systemUTC(), 600_000, lease);
    TestRuntimes.takeWhenFree(b, "plain-agent", "moved", 10);
    assertNotNull(a.liveInstance("plain-agent", "moved"), "a has not noticed yet");
    a.renewLeases();
    assertNull(a.liveInstance("plain-agent", "moved"), "the renewal saw the lease gone");
  }

  @Test
  void anEvictedInstanceIsFreeForAnotherServer() {
    AgentRuntime a = server("server-a", Clock.systemUTC(), 300);
    AgentRuntime b = server("server-b", Clock.systemUTC(), 600_000);
    a.instance("plain-agent", "ev");
    assertThrows(AgentElsewhereException.class, () -> b.instance("plain-agent", "ev"));
    TestRuntimes.takeWhenFree(b, "plain-agent", "ev", 10); // once a let it go
    assertThrows(AgentElsewhereException.class, () -> a.instance("plain-agent", "ev"));
  }

  @Test
  void aDeadServersInstancesAreTakenOverOnceItsLeaseRanOutAndTheQueueDrainsOnce() {
    Duration lease = Duration.ofMillis(1_500);
    AgentRuntime a = server("server-a", Clock.systemUTC(), 600_000, lease);
    AgentInstance in = a.instance("work-agent", "q");
    in.exclusive(() -> in.agent().queue("record", "one"));
    long end = System.currentTimeMillis() + 10_000;
    while (!TestAgents.LOG.contains("one") && System.currentTimeMillis() < end) {
      FakeWire.sleep(10);
    }
    // server-a "dies": nothing renews or releases its lease any more
    runtimes.remove(a);
    a.abandon();
    long died = System.nanoTime();
    AgentRuntime b = server("server-b", Clock.systemUTC(), 600_000, lease);
    assertThrows(AgentElsewhereException.class, () -> b.instance("work-agent", "q"));
    AgentInstance taken = TestRuntimes.takeWhenFree(b, "work-agent", "q", 10);
    assertTrue(System.nanoTime() - died >= lease.toNanos() - 500_000_000L,
        "taken over only once the lease ran out");
    AgentInstance t = taken;
    t.exclusive(() -> t.agent().queue("record", "two"));
    end = System.currentTimeMillis() + 10_000;
    while (!TestAgents.LOG.contains("two") && System.currentTimeMillis() < end) {
      FakeWire.sleep(10);
    }
    assertEquals(List.of("one", "two"), TestAgents.LOG);
  }
}
