package dev.steadfast.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The filter that keeps Tyrus from scheduling a no-op idle timer task per frame. */
class IdleTimerFilterTest {
  /** Stands in for Tyrus's session: its executor in a private field named {@code service}. */
  static final class Session {
    private final ScheduledExecutorService service;

    Session(ScheduledExecutorService service) {
      this.service = service;
    }

    /** What Tyrus does on every frame: schedule the idle command with the idle timeout. */
    ScheduledFuture<?> frame(long idleTimeout, Runnable command) {
      return service.schedule(command, idleTimeout, TimeUnit.MILLISECONDS);
    }
  }

  /** Named like Tyrus's task (the filter recognises it by name). */
  static final class IdleTimeoutCommand implements Runnable {
    final CountDownLatch ran = new CountDownLatch(1);

    @Override
    public void run() {
      ran.countDown();
    }
  }

  /** Counts what reaches the container's executor. */
  static final class Container extends ScheduledThreadPoolExecutor {
    final AtomicInteger scheduled = new AtomicInteger();

    Container() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      scheduled.incrementAndGet();
      return super.schedule(command, delay, unit);
    }
  }

  Container container;

  @BeforeEach
  void setUp() {
    IdleTimerFilter.reset();
    container = new Container();
  }

  @AfterEach
  void tearDown() {
    container.shutdownNow();
    IdleTimerFilter.reset();
  }

  @Test
  void aSessionWithNoIdleTimeoutSchedulesNothingPerFrame() throws Exception {
    Session s = new Session(container);
    assertTrue(IdleTimerFilter.install(s, Session.class.getName()));
    for (int i = 0; i < 1_000; i++) {
      ScheduledFuture<?> f = s.frame(0, new IdleTimeoutCommand());
      assertTrue(f.isDone());
      assertFalse(f.cancel(false)); // what Tyrus does with the last one on the next frame
    }
    assertEquals(0, container.scheduled.get());
  }

  @Test
  void aRealIdleTimeoutStillFires() throws Exception {
    Session s = new Session(container);
    assertTrue(IdleTimerFilter.install(s, Session.class.getName()));
    IdleTimeoutCommand idle = new IdleTimeoutCommand();
    s.frame(20, idle);
    assertTrue(idle.ran.await(5, TimeUnit.SECONDS));
    assertEquals(1, container.scheduled.get());
  }

  @Test
  void otherTasksGoToTheContainerEvenWithoutDelay() throws Exception {
    Session s = new Session(container);
    assertTrue(IdleTimerFilter.install(s, Session.class.getName()));
    CountDownLatch ran = new CountDownLatch(1);
    s.frame(0, ran::countDown);
    assertTrue(ran.await(5, TimeUnit.SECONDS));
    CountDownLatch beats = new CountDownLatch(3);
    ScheduledFuture<?> heartbeat = s.service.scheduleAtFixedRate(beats::countDown, 0, 5,
        TimeUnit.MILLISECONDS);
    assertTrue(beats.await(5, TimeUnit.SECONDS));
    heartbeat.cancel(false);
  }

  @Test
  void installingTwiceKeepsOneFilterAndOtherSessionsAreLeftAlone() {
    Session s = new Session(container);
    assertTrue(IdleTimerFilter.install(s, Session.class.getName()));
    ScheduledExecutorService first = s.service;
    assertTrue(first instanceof IdleTimerFilter);
    assertSame(container, ((IdleTimerFilter) first).container());
    assertTrue(IdleTimerFilter.install(s, Session.class.getName()));
    assertSame(first, s.service);
    Session other = new Session(container);
    assertTrue(IdleTimerFilter.install(other, Session.class.getName()));
    assertSame(first, other.service); // one filter per container executor

    ScheduledExecutorService plain = Executors.newSingleThreadScheduledExecutor();
    try {
      Session notTyrus = new Session(plain);
      assertFalse(IdleTimerFilter.install(notTyrus)); // not Tyrus's class: untouched
      assertSame(plain, notTyrus.service);
    } finally {
      plain.shutdownNow();
    }
  }

  @Test
  void aSessionClassWithoutTheFieldIsLeftAloneAndTheFilterGivesUp() {
    Object odd = new Object() {};
    assertFalse(IdleTimerFilter.install(odd, odd.getClass().getName()));
    Session s = new Session(container);
    assertFalse(IdleTimerFilter.install(s, Session.class.getName())); // gave up once, for good
    assertSame(container, s.service);
  }
}
