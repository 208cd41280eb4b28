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
 */
@WebListener
public class StopWithTheApplication implements ServletContextListener {
  private static final Logger LOG = Logger.getLogger(StopWithTheApplication.class.getName());

  @EJB AgentRegistry agents;
  @EJB EngineBootstrap engine;

  @Override
  public void contextDestroyed(ServletContextEvent event) {
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
