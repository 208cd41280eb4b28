package dev.steadfast.agent.runtime;

import dev.steadfast.agent.Agent;
import dev.steadfast.workflow.engine.LocalTransactor;
import dev.steadfast.workflow.engine.ScheduledWakeUpTimer;
import jakarta.persistence.EntityManagerFactory;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Agent runtimes as the tests build them: agents made by their no-argument constructor. */
final class TestRuntimes {
  private TestRuntimes() {}

  /** A runtime (not started) on {@code emf} for {@code classes}, with its own worker pool. */
  static AgentRuntime create(EntityManagerFactory emf, List<Class<? extends Agent<?>>> classes,
      ScheduledExecutorService scheduler, Clock clock, Retry retry) {
    return create(emf, classes, scheduler, Executors.newCachedThreadPool(), clock, retry);
  }

  static AgentRuntime create(EntityManagerFactory emf, List<Class<? extends Agent<?>>> classes,
      ScheduledExecutorService scheduler, ExecutorService workers, Clock clock, Retry retry) {
    return new AgentRuntime(classes, type -> {
      try {
        return type.getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }, new LocalTransactor(emf), new ScheduledWakeUpTimer(scheduler, clock), workers, scheduler,
        clock, retry);
  }

  /**
   * The instance, activated on {@code rt} as soon as no other server holds it (waiting out a
   * lease), failing after {@code seconds}.
   */
  static AgentInstance takeWhenFree(AgentRuntime rt, String agent, String name, int seconds) {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    while (true) {
      try {
        return rt.instance(agent, name);
      } catch (AgentElsewhereException stillLeased) {
        if (System.nanoTime() > end) {
          throw new AssertionError(agent + "/" + name + " was never free for this server: "
              + stillLeased.getMessage());
        }
        FakeWire.sleep(50);
      }
    }
  }
}
