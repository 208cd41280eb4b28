package dev.steadfast.server;

import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.engine.EngineConfig;
import dev.steadfast.workflow.engine.WakeUpTimer;
import dev.steadfast.workflow.engine.WorkflowDefinition;
import dev.steadfast.workflow.engine.WorkflowEngine;
import dev.steadfast.workflow.engine.WorkflowRegistry;
import dev.steadfast.workflow.store.Migrator;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.annotation.sql.DataSourceDefinition;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.Config;

/**
 * Starts the workflow engine with the application: migrates the schema, registers the workflows
 * CDI discovered, and wires the engine to JTA, the EJB timer and managed threads.
 *
 * <p>Turns run on a pool of our own built from the container's ManagedThreadFactory rather than
 * on the default ManagedExecutorService: its size must follow {@code steadfast.workers}, which an
 * annotation-defined executor cannot read from configuration, and its threads are still
 * container-managed (naming, CDI, JTA work in them).
 */
@DataSourceDefinition(
    name = "java:app/jdbc/steadfast",
    className = "dev.steadfast.server.SteadfastDataSource",
    url = "${MPCONFIG=steadfast.db.url}",
    user = "${MPCONFIG=steadfast.db.user}",
    password = "${MPCONFIG=steadfast.db.password}",
    minPoolSize = 2,
    maxPoolSize = 64)
// the journal's group commits: connections that never join a caller's JTA transaction (a
// workflow created inside a user's transaction is committed on its own, like with REQUIRES_NEW,
// and the batch it joins carries other turns' writes)
@DataSourceDefinition(
    name = EngineBootstrap.JOURNAL_DATASOURCE,
    className = "dev.steadfast.server.SteadfastDataSource",
    url = "${MPCONFIG=steadfast.db.url}",
    user = "${MPCONFIG=steadfast.db.user}",
    password = "${MPCONFIG=steadfast.db.password}",
    transactional = false,
    minPoolSize = 2,
    maxPoolSize = 16)
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class EngineBootstrap {
  private static final Logger LOG = Logger.getLogger(EngineBootstrap.class.getName());

  /** The non-transactional datasource of the journal's group commits. */
  public static final String JOURNAL_DATASOURCE = "java:app/jdbc/steadfast-journal";

  @Resource(lookup = "java:app/jdbc/steadfast")
  DataSource dataSource;

  @Resource ManagedThreadFactory threadFactory;

  @EJB TimerBean timerBean;

  @Inject JtaTransactor transactor;

  @Inject WorkflowDiscovery discovery;

  @Inject @Any Instance<Object> beans;

  @Inject Config config;

  private volatile WorkflowEngine engine;
  private ThreadPoolExecutor turns;
  private ThreadPoolExecutor branches;
  private ScheduledThreadPoolExecutor scheduler;

  @PostConstruct
  void start() {
    long t0 = System.currentTimeMillis();
    Settings settings = new Settings(config);
    Migrator.migrate(dataSource);
    WorkflowRegistry registry = new WorkflowRegistry();
    Map<Class<?>, WorkflowEntrypoint<?, ?>> objects = new ConcurrentHashMap<>();
    for (Class<? extends WorkflowEntrypoint<?, ?>> type : discovery.workflows()) {
      if (!settings.examplesEnabled() && type.getName().startsWith("dev.steadfast.examples.")) {
        continue;
      }
      // one shared object per workflow class: run() is replayed, so it keeps no per-run state
      registry.register(WorkflowDefinition.of(type,
          () -> objects.computeIfAbsent(type, t -> (WorkflowEntrypoint<?, ?>) beans.select(t).get())));
    }
    EngineConfig cfg = settings.engineConfig();
    turns = new ThreadPoolExecutor(cfg.workers(), cfg.workers(), 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), threadFactory);
    // threads are made now, on this deployment thread: a managed thread takes the context of
    // the thread that creates it, and some container threads (health checks) have none
    turns.prestartAllCoreThreads();
    branches = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
        new SynchronousQueue<>(), threadFactory);
    scheduler = new ScheduledThreadPoolExecutor(2, threadFactory);
    scheduler.setRemoveOnCancelPolicy(true);
    scheduler.prestartAllCoreThreads();
    WakeUpTimer timer = new EjbWakeUpTimer(timerBean, "workflows", scheduler);
    WorkflowEngine e = new WorkflowEngine(cfg, registry, transactor, timer, turns, branches,
        scheduler, Clock.systemUTC());
    e.start();
    engine = e;
    LOG.info("Steadfast workflow engine started in " + (System.currentTimeMillis() - t0)
        + " ms: server " + cfg.serverId() + ", " + registry.all().size() + " workflows "
        + registry.all().stream().map(WorkflowDefinition::name).sorted().toList() + ", "
        + cfg.workers() + " workers, data in " + settings.dataDir());
  }

  @PreDestroy
  void stop() {
    WorkflowEngine e = engine;
    if (e != null) {
      e.stop(5_000);
    }
    for (ExecutorService s : new ExecutorService[] {turns, branches, scheduler}) {
      if (s != null) {
        s.shutdownNow();
      }
    }
  }

  /** The running engine. */
  public WorkflowEngine engine() {
    WorkflowEngine e = engine;
    if (e == null) {
      throw new IllegalStateException("the workflow engine is not started");
    }
    return e;
  }

  public boolean isStarted() {
    return engine != null;
  }
}
