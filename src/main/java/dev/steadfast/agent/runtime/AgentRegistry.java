package dev.steadfast.agent.runtime;

import dev.steadfast.server.EjbWakeUpTimer;
import dev.steadfast.server.TimerBean;

import dev.steadfast.agent.AgentAuthenticator;
import dev.steadfast.server.JtaTransactor;
import dev.steadfast.workflow.Durations;
import dev.steadfast.workflow.engine.WakeUpTimer;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
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
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * Starts the agent runtime with the application, after the workflow engine has migrated the
 * schema: agent objects come from CDI, transactions from JTA, the wake-up from an EJB timer and
 * threads from the container's ManagedThreadFactory (so CDI and JTA work in every handler).
 */
@Singleton
@Startup
@DependsOn({"EngineBootstrap", "TimerBean"})
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class AgentRegistry {
  private static final Logger LOG = Logger.getLogger(AgentRegistry.class.getName());

  @Resource ManagedThreadFactory threadFactory;

  @EJB TimerBean timerBean;

  @EJB dev.steadfast.server.EngineBootstrap engineBootstrap;

  @Inject JtaTransactor transactor;

  @Inject AgentDiscovery discovery;

  @Inject @Any Instance<Object> beans;

  @Inject Instance<AgentAuthenticator> authenticators;

  @Inject Config config;

  private volatile AgentRuntime runtime;
  private ThreadPoolExecutor workers;
  private ScheduledThreadPoolExecutor scheduler;

  @PostConstruct
  void start() {
    boolean examples = new dev.steadfast.server.Settings(config).examplesEnabled();
    var classes = discovery.agents().stream()
        .filter(c -> examples || !c.getName().startsWith("dev.steadfast.examples."))
        .toList();
    // handlers may block on the instance lock, so the pool grows rather than queues
    workers = new ThreadPoolExecutor(8, 512, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
        threadFactory, new ThreadPoolExecutor.CallerRunsPolicy());
    scheduler = new ScheduledThreadPoolExecutor(1, threadFactory);
    WakeUpTimer timer = new EjbWakeUpTimer(timerBean, "agents", scheduler);
    AgentRuntime rt = new AgentRuntime(classes, type -> beans.select(type).get(), transactor,
        timer, workers, scheduler, Clock.systemUTC(), Retry.DEFAULT);
    rt.setAuthenticators(() -> authenticators.stream().toList());
    rt.setLimits(AgentLimits.from(config));
    rt.setOwner(new dev.steadfast.server.Settings(config).serverId(),
        config.getOptionalValue("steadfast.agents.lease", String.class).map(Durations::parse)
            .orElse(AgentRuntime.DEFAULT_LEASE));
    long pingSeconds = config.getOptionalValue("steadfast.agents.ping-seconds", Long.class)
        .orElse(30L);
    long idleMillis = config.getOptionalValue("steadfast.agents.idle-eviction", String.class)
        .map(d -> Durations.parse(d).toMillis())
        .orElse(AgentRuntime.DEFAULT_IDLE_EVICTION.toMillis());
    rt.attachWorkflows(engineBootstrap.engine());
    rt.start(pingSeconds * 1000, idleMillis);
    runtime = rt;
    LOG.info("Steadfast agents started: " + rt.types().keySet());
  }

  /**
   * Stops the agents and lets go of their leases (once: a later call finds nothing to do). The
   * container calls it at undeploy; {@code dev.steadfast.server.StopWithTheApplication} calls it
   * too, because Payara Micro stopped by a signal never does.
   */
  @PreDestroy
  public void stop() {
    AgentRuntime rt = runtime;
    runtime = null;
    if (rt != null) {
      rt.stop();
    }
    try {
      timerBean.cancel("agents");
    } catch (RuntimeException e) {
      LOG.log(java.util.logging.Level.FINE, "the timer bean is gone; nothing to cancel", e);
    }
    workers.shutdownNow();
    scheduler.shutdownNow();
  }

  /** The running runtime, or null before startup finished. */
  public AgentRuntime runtime() {
    return runtime;
  }
}
