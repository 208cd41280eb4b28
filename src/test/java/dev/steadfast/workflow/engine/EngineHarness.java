package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.InstanceStatus;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.store.LocalPersistence;
import jakarta.persistence.EntityManagerFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;

/** A running engine on a real database, wired the way the server wires it but without it. */
public final class EngineHarness implements AutoCloseable {
  public final DataSource dataSource;
  public final EntityManagerFactory emf;
  public final WorkflowRegistry registry = new WorkflowRegistry();
  public final List<EngineEvent> events = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  public WorkflowEngine engine;
  private EngineConfig config;
  private ExecutorService turns;
  private ExecutorService branches;
  private ScheduledThreadPoolExecutor scheduler;
  private Clock clock = Clock.systemUTC();

  public EngineHarness(DataSource dataSource, EngineConfig config) {
    this.dataSource = dataSource;
    this.emf = LocalPersistence.create(dataSource);
    this.config = config;
  }

  public static EngineConfig fastConfig(String serverId) {
    return EngineConfig.defaults(serverId)
        .withPollInterval(Duration.ofMillis(200))
        .withLease(Duration.ofSeconds(3))
        .withWorkers(16);
  }

  public <W extends WorkflowEntrypoint<?, ?>> EngineHarness register(Class<W> type, Supplier<W> factory) {
    registry.register(WorkflowDefinition.of(type, factory));
    return this;
  }

  /** Runs the engine on this clock (a virtual one moves time for schedules and retention). */
  public EngineHarness withClock(Clock c) {
    this.clock = c;
    return this;
  }

  /** Registers a definition as it is, e.g. with a policy that configuration would set. */
  public EngineHarness register(WorkflowDefinition def) {
    registry.register(def);
    return this;
  }

  public EngineHarness start() {
    return start(e -> { });
  }

  /** Starts the engine after {@code beforeStart} saw it (e.g. to attach an agent runtime). */
  public EngineHarness start(java.util.function.Consumer<WorkflowEngine> beforeStart) {
    turns = Executors.newFixedThreadPool(config.workers());
    branches = Executors.newCachedThreadPool();
    scheduler = new ScheduledThreadPoolExecutor(2);
    scheduler.setRemoveOnCancelPolicy(true);
    engine = new WorkflowEngine(config, registry, new LocalTransactor(emf),
        new ScheduledWakeUpTimer(scheduler, clock), turns, branches, scheduler, clock);
    engine.addListener(events::add);
    beforeStart.accept(engine);
    engine.start();
    return this;
  }

  /** Stops the engine without waiting, as a crash would (claims stay in the database). */
  public void crash() {
    engine.stop(0);
    turns.shutdownNow();
    branches.shutdownNow();
    scheduler.shutdownNow();
  }

  public InstanceStatus await(WorkflowInstance instance, Status expected, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    InstanceStatus s = instance.status();
    while (s.status() != expected) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("instance " + instance.id() + " is " + s + ", expected "
            + expected.wireName() + " within " + timeout);
      }
      sleep(10);
      s = instance.status();
    }
    return s;
  }

  public InstanceStatus await(WorkflowInstance instance, Status expected) {
    return await(instance, expected, Duration.ofSeconds(20));
  }

  public static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (engine != null) {
      engine.stop(2000);
      turns.shutdownNow();
      branches.shutdownNow();
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
        turns.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    emf.close();
  }
}
