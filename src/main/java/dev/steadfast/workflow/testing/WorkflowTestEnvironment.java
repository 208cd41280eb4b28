package dev.steadfast.workflow.testing;

import dev.steadfast.workflow.InstanceStatus;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.EngineConfig;
import dev.steadfast.workflow.engine.LocalTransactor;
import dev.steadfast.workflow.engine.StepOutputs;
import dev.steadfast.workflow.engine.TestHooks;
import dev.steadfast.workflow.engine.WakeUpTimer;
import dev.steadfast.workflow.engine.WorkflowDefinition;
import dev.steadfast.workflow.engine.WorkflowEngine;
import dev.steadfast.workflow.engine.WorkflowRegistry;
import dev.steadfast.workflow.store.H2Settings;
import dev.steadfast.workflow.store.LocalPersistence;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Supplier;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * A workflow engine for unit tests: an in-memory H2 database, a {@link VirtualClock} that jumps
 * to the next due time whenever nothing is running (so a workflow that sleeps for a month
 * completes in milliseconds), and {@link Introspector}s to mock steps and events.
 *
 * <pre>{@code
 * try (var env = WorkflowTestEnvironment.builder()
 *     .register(InvoiceWorkflow.class, InvoiceWorkflow::new).start()) {
 *   env.introspectAll("invoice").mockStepResult("charge cart", 4200L);
 *   WorkflowInstance i = env.<Cart>client("invoice").create("c-1", cart);
 *   InstanceStatus s = env.awaitStatus(i, Status.COMPLETE);
 * }
 * }</pre>
 */
public final class WorkflowTestEnvironment implements AutoCloseable {
  private final VirtualClock clock = new VirtualClock(Instant.parse("2030-01-01T00:00:00Z"));
  private final WorkflowRegistry registry = new WorkflowRegistry();
  private final Map<String, Introspector> perInstance = new ConcurrentHashMap<>();
  private final Map<String, Introspector> perWorkflow = new ConcurrentHashMap<>();
  private JdbcConnectionPool pool;
  private EntityManagerFactory emf;
  private WorkflowEngine engine;
  private ExecutorService turns;
  private ExecutorService branches;
  private ScheduledThreadPoolExecutor scheduler;
  private Thread skipper;
  private volatile boolean running;
  private boolean timeSkipping = true;

  private WorkflowTestEnvironment() {}

  public static WorkflowTestEnvironment builder() {
    return new WorkflowTestEnvironment();
  }

  /** Registers a workflow class with the factory that makes its object. */
  public <W extends WorkflowEntrypoint<?, ?>> WorkflowTestEnvironment register(Class<W> type,
      Supplier<W> factory) {
    registry.register(WorkflowDefinition.of(type, factory));
    return this;
  }

  /** With false, the clock moves only through {@link #advance}. Default true. */
  public WorkflowTestEnvironment timeSkipping(boolean on) {
    this.timeSkipping = on;
    return this;
  }

  public WorkflowTestEnvironment start() {
    pool = JdbcConnectionPool.create(H2Settings.url("jdbc:h2:mem:wf-test-" + UUID.randomUUID()
        + ";DB_CLOSE_DELAY=-1"), "sa", "");
    emf = LocalPersistence.create(pool);
    EngineConfig config = EngineConfig.defaults("test")
        .withPollInterval(Duration.ofDays(365))
        .withWorkers(8)
        .withRetention(Duration.ofDays(365 * 100))
        .withRecordAttemptStartAfter(Duration.ofDays(1));
    turns = Executors.newFixedThreadPool(config.workers());
    branches = Executors.newCachedThreadPool();
    scheduler = new ScheduledThreadPoolExecutor(1);
    scheduler.setRemoveOnCancelPolicy(true);
    // wake-ups in the past run at once; future ones are driven by the time-skipping loop
    WakeUpTimer timer = new WakeUpTimer() {
      @Override
      public void wakeAt(long epochMillis, Runnable callback) {
        if (epochMillis <= clock.millis()) {
          scheduler.execute(callback);
        }
      }

      @Override
      public void cancel() {}
    };
    engine = new WorkflowEngine(config, registry, new LocalTransactor(emf), timer, turns, branches,
        scheduler, clock);
    engine.setTestHooks(new Hooks());
    engine.start();
    running = true;
    if (timeSkipping) {
      skipper = new Thread(this::skipLoop, "workflow-test-clock");
      skipper.setDaemon(true);
      skipper.start();
    }
    return this;
  }

  /** Jumps the clock to the next due time when the engine has been idle for a few checks. */
  private void skipLoop() {
    int idle = 0;
    while (running) {
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        return;
      }
      idle = engine.isIdle() ? idle + 1 : 0;
      if (idle >= 3) {
        idle = 0;
        try {
          Long next = engine.nextDueAt();
          if (next != null) {
            clock.advanceTo(next);
            scheduler.execute(engine::pollNow);
          }
        } catch (RuntimeException e) {
          // the environment is closing
        }
      }
    }
  }

  /** Moves the clock forward by {@code d} and runs what became due. */
  public void advance(Duration d) {
    long target = clock.millis() + d.toMillis();
    clock.advanceTo(target);
    engine.pollNow();
  }

  public VirtualClock clock() {
    return clock;
  }

  public WorkflowEngine engine() {
    return engine;
  }

  public <P> WorkflowClient<P> client(String nameOrBinding) {
    return engine.client(nameOrBinding);
  }

  /** Introspection of one instance; set it up before the instance reaches the step. */
  public Introspector introspect(String instanceId) {
    return perInstance.computeIfAbsent(instanceId, k -> new Introspector());
  }

  /** Introspection of every instance of a workflow created from now on. */
  public Introspector introspectAll(String workflowName) {
    return perWorkflow.computeIfAbsent(workflowName, k -> new Introspector());
  }

  /**
   * The whole output of a step as {@code GET …/instances/{id}/step} shows it (redacted when the
   * step is sensitive), or empty when the instance has no such step.
   *
   * @param stepName the name with its count, {@code "charge-1"}
   * @param type {@code step} or {@code waitForEvent}
   * @param attempt 1-based, or null for the step as a whole
   */
  public Optional<StepOutputs.StepOutput> stepOutput(String workflow, String instanceId,
      String stepName, String type, Integer attempt) {
    StepOutputs.StepName name = StepOutputs.StepName.parse(stepName);
    if (name == null) {
      throw new IllegalArgumentException("step name '" + stepName + "' lacks its count, e.g. '"
          + stepName + "-1'");
    }
    return StepOutputs.find(engine.view(workflow, instanceId), name, type, attempt);
  }

  /** The whole output of a do step as a whole: see {@link #stepOutput(String, String, String,
   * String, Integer)}. */
  public Optional<StepOutputs.StepOutput> stepOutput(String workflow, String instanceId,
      String stepName) {
    return stepOutput(workflow, instanceId, stepName, StepOutputs.STEP, null);
  }

  /** Waits (in real time, at most {@code timeout}) until the instance has {@code expected}. */
  public InstanceStatus awaitStatus(WorkflowInstance instance, Status expected, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    InstanceStatus s = instance.status();
    while (s.status() != expected) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("instance " + instance.id() + " is " + s + ", expected "
            + expected.wireName());
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted");
      }
      s = instance.status();
    }
    return s;
  }

  public InstanceStatus awaitStatus(WorkflowInstance instance, Status expected) {
    return awaitStatus(instance, expected, Duration.ofSeconds(10));
  }

  @Override
  public void close() {
    running = false;
    if (skipper != null) {
      skipper.interrupt();
    }
    if (engine != null) {
      engine.stop(1_000);
    }
    if (turns != null) {
      turns.shutdownNow();
      branches.shutdownNow();
      scheduler.shutdownNow();
    }
    if (emf != null) {
      emf.close();
    }
    if (pool != null) {
      pool.dispose();
    }
  }

  private final class Hooks implements TestHooks {
    private Introspector[] of(String workflow, String instanceId) {
      return new Introspector[] {perInstance.get(instanceId), perWorkflow.get(workflow)};
    }

    @Override
    public Optional<StepMock> step(String workflow, String instanceId, String name, int count,
        int attempt) {
      for (Introspector i : of(workflow, instanceId)) {
        if (i != null) {
          Optional<StepMock> m = i.step(name);
          if (m.isPresent()) {
            return m;
          }
        }
      }
      return Optional.empty();
    }

    @Override
    public Optional<StepMock> rollback(String workflow, String instanceId, String name, int count,
        int attempt) {
      for (Introspector i : of(workflow, instanceId)) {
        if (i != null) {
          Optional<StepMock> m = i.rollback(name);
          if (m.isPresent()) {
            return m;
          }
        }
      }
      return Optional.empty();
    }

    @Override
    public boolean skipSleep(String workflow, String instanceId, String name) {
      for (Introspector i : of(workflow, instanceId)) {
        if (i != null && i.sleepsDisabled()) {
          return true;
        }
      }
      return false;
    }

    @Override
    public boolean skipRetryDelay(String workflow, String instanceId) {
      for (Introspector i : of(workflow, instanceId)) {
        if (i != null && i.retryDelaysDisabled()) {
          return true;
        }
      }
      return false;
    }

    @Override
    public Optional<Optional<Object>> event(String workflow, String instanceId, String name,
        String type) {
      for (Introspector i : of(workflow, instanceId)) {
        if (i != null && i.event(type).isPresent()) {
          return i.event(type);
        }
      }
      return Optional.empty();
    }

    @Override
    public boolean forceEventTimeout(String workflow, String instanceId, String name) {
      for (Introspector i : of(workflow, instanceId)) {
        if (i != null && i.eventTimeout(name)) {
          return true;
        }
      }
      return false;
    }
  }
}
