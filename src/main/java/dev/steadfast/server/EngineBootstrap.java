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
import jakarta.ejb.DependsOn;
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
// Every pool validates a connection before handing it out (a database restart leaves broken ones
// behind; one failing validation empties the pool), and a caller waits at most 10 s for one, well
// under a lease (30 s by default), so a starved pool fails a call instead of costing claims.
@DataSourceDefinition(
    name = "java:app/jdbc/steadfast",
    className = "dev.steadfast.server.SteadfastDataSource",
    url = "${MPCONFIG=steadfast.db.url}",
    user = "${MPCONFIG=steadfast.db.user}",
    password = "${MPCONFIG=steadfast.db.password}",
    minPoolSize = 2,
    maxPoolSize = 64,
    properties = {
        EngineBootstrap.VALIDATE, EngineBootstrap.VALIDATE_METHOD, EngineBootstrap.VALIDATOR,
        EngineBootstrap.FAIL_ALL, EngineBootstrap.MAX_WAIT})
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
    maxPoolSize = 16,
    properties = {
        EngineBootstrap.VALIDATE, EngineBootstrap.VALIDATE_METHOD, EngineBootstrap.VALIDATOR,
        EngineBootstrap.FAIL_ALL, EngineBootstrap.MAX_WAIT})
// lease renewals, database probes and maintenance locks: a budget of their own that no REST
// call, agent write or journal burst can take
@DataSourceDefinition(
    name = EngineBootstrap.LEASE_DATASOURCE,
    className = "dev.steadfast.server.SteadfastDataSource",
    url = "${MPCONFIG=steadfast.db.url}",
    user = "${MPCONFIG=steadfast.db.user}",
    password = "${MPCONFIG=steadfast.db.password}",
    transactional = false,
    minPoolSize = 1,
    maxPoolSize = 3,
    properties = {
        EngineBootstrap.VALIDATE, EngineBootstrap.VALIDATE_METHOD, EngineBootstrap.VALIDATOR,
        EngineBootstrap.FAIL_ALL, EngineBootstrap.MAX_WAIT})
// the API's reads (details, listings): plain autocommit SELECTs that need no transaction, on a
// pool of their own so that reads and group commits never queue for each other's connections
@DataSourceDefinition(
    name = EngineBootstrap.READ_DATASOURCE,
    className = "dev.steadfast.server.SteadfastDataSource",
    url = "${MPCONFIG=steadfast.db.url}",
    user = "${MPCONFIG=steadfast.db.user}",
    password = "${MPCONFIG=steadfast.db.password}",
    transactional = false,
    minPoolSize = 2,
    maxPoolSize = 32,
    properties = {
        EngineBootstrap.VALIDATE, EngineBootstrap.VALIDATE_METHOD, EngineBootstrap.VALIDATOR,
        EngineBootstrap.FAIL_ALL, EngineBootstrap.MAX_WAIT})
@Singleton
@Startup
// the wake-up timers outlive the engine: WildFly destroys singletons in no particular order
// otherwise, and the engine's stop (which lets go of the server id last) cancels its timer
@DependsOn("TimerBean")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class EngineBootstrap {
  private static final Logger LOG = Logger.getLogger(EngineBootstrap.class.getName());

  /** The non-transactional datasource of the journal's group commits. */
  public static final String JOURNAL_DATASOURCE = "java:app/jdbc/steadfast-journal";
  /** The small pool of lease renewals, probes and maintenance locks. */
  public static final String LEASE_DATASOURCE = "java:app/jdbc/steadfast-leases";
  /** The non-transactional datasource of the API's reads. */
  public static final String READ_DATASOURCE = "java:app/jdbc/steadfast-reads";

  // Payara's pool settings for application-defined datasources
  static final String VALIDATE = "fish.payara.is-connection-validation-required=true";
  static final String VALIDATE_METHOD = "fish.payara.connection-validation-method=custom-validation";
  static final String VALIDATOR =
      "fish.payara.validation-classname=org.glassfish.api.jdbc.validation.JDBC40ConnectionValidation";
  static final String FAIL_ALL = "fish.payara.fail-all-connections=true";
  static final String MAX_WAIT = "fish.payara.max-wait-time-in-millis=10000";

  /** The engine once started, for code that must not wait for this bean (API filters). */
  private static volatile WorkflowEngine current;

  /** The running engine of this application, or null while it starts (or after it stopped). */
  public static WorkflowEngine runningEngine() {
    return current;
  }

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
      WorkflowDefinition def = WorkflowDefinition.of(type,
          () -> objects.computeIfAbsent(type, t -> (WorkflowEntrypoint<?, ?>) beans.select(t).get()));
      // configuration keys override the annotation's limit, schedules and retention
      registry.register(def.withPolicy(settings.workflowPolicy(def.name(), def.policy())));
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
    current = e;
    LOG.info("Steadfast workflow engine started in " + (System.currentTimeMillis() - t0)
        + " ms: server " + cfg.serverId() + ", " + registry.all().size() + " workflows "
        + registry.all().stream().map(WorkflowDefinition::name).sorted().toList() + ", "
        + cfg.workers() + " workers, data in " + settings.dataDir());
  }

  /**
   * Stops the engine (once: a later call finds nothing to do). The container calls it at
   * undeploy; {@link StopWithTheApplication} calls it too, because Payara Micro stopped by a
   * signal never does (see there).
   */
  @PreDestroy
  public void stop() {
    current = null;
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
