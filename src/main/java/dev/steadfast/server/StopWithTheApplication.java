package dev.steadfast.server;

import dev.steadfast.agent.runtime.AgentRegistry;
import jakarta.ejb.EJB;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Stops the agents, then the workflow engine, when the web application stops: they let go of
 * their agent leases, instance claims and server id, so that another server (or the next
 * container on the same volume) takes over at once instead of after the leases run out.
 *
 * <p>The singletons' own {@code @PreDestroy} does this at an undeploy, but Payara Micro stopped
 * by SIGTERM or Ctrl+C (every {@code docker stop}, every pod that ends) stops the web
 * application without ever calling the singletons' {@code @PreDestroy} (payara/Payara#4573; seen
 * on 6.2025.10 by {@code ImageIT}: the server id was still held after {@code podman stop}). Both
 * stops are idempotent, so where both run (an undeploy, WildFly) the second finds nothing to do.
 * Agents first: they may still call into workflows while they stop.
 *
 * <p>It also tells readiness that the web application has started: Payara Server starts the
 * engine (a startup singleton) about a second before the application's servlets answer, and
 * readiness reported UP then (the first requests after it got 404s: {@code UserWarIT}, measured
 * 1.0 s). With this listener's start required too the window is about 0.3 s on that server:
 * the rest is the server's own registration of the application's URLs after the application has
 * started, which no portable event reports (CDI's {@code @Initialized(ApplicationScoped.class)}
 * comes earlier still); docs/deploy.md says what to do about it.
 */
@WebListener
public class StopWithTheApplication implements ServletContextListener {
  private static final Logger LOG = Logger.getLogger(StopWithTheApplication.class.getName());

  @EJB AgentRegistry agents;
  @EJB EngineBootstrap engine;

  private static volatile boolean serving;

  /** Whether the web application has started and not stopped (readiness requires it). */
  static boolean serving() {
    return serving;
  }

  @Override
  public void contextInitialized(ServletContextEvent event) {
    serving = true;
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    serving = false;
    try {
      agents.stop();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not stop the agents with the application", e);
    }
    try {
      engine.stop();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not stop the workflow engine with the application", e);
    }
  }
}
