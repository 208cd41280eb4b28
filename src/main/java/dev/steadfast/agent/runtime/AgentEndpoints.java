package dev.steadfast.agent.runtime;

import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * Registers the agent WebSocket endpoint under the configured prefix at deployment
 * (programmatically: an annotation's path could not follow configuration).
 */
@WebListener
public class AgentEndpoints implements ServletContextListener {
  private static final Logger LOG = Logger.getLogger(AgentEndpoints.class.getName());

  @Inject Config config;

  public static final String ENABLED_KEY = "steadfast.agents.websocket.enabled";

  @Override
  public void contextInitialized(ServletContextEvent event) {
    if (!config.getOptionalValue(ENABLED_KEY, Boolean.class).orElse(true)) {
      LOG.info("agent WebSocket endpoint off (" + ENABLED_KEY + "=false)");
      return;
    }
    AgentRoutes routes = AgentRoutes.from(config);
    ServerContainer container = (ServerContainer) event.getServletContext()
        .getAttribute(ServerContainer.class.getName());
    if (container == null) {
      LOG.warning("no WebSocket container: agents are reachable over HTTP only");
      return;
    }
    try {
      for (String path : routes.templates()) {
        container.addEndpoint(config(path));
      }
    } catch (DeploymentException e) {
      throw new IllegalStateException("cannot register the agent endpoint", e);
    }
    LOG.info("agent WebSocket endpoint at /" + routes.prefix() + "/{agent}/{name}");
  }

  static ServerEndpointConfig config(String path) {
    HeaderCapture capture = new HeaderCapture();
    ServerEndpointConfig sec = ServerEndpointConfig.Builder.create(AgentEndpoint.class, path)
        .configurator(capture).build();
    capture.shared = sec.getUserProperties();
    return sec;
  }

  /**
   * Hands the handshake headers (an authenticator may want Authorization) to this connection
   * only. Since WebSocket 2.1 the config given to modifyHandshake carries a per-connection copy
   * of the user properties, which becomes the new session's; Tyrus 2.1 (Payara 6) does this.
   * A container handing out the endpoint's shared map instead would let concurrent handshakes
   * see each other's headers, so there the headers are withheld (header authentication then
   * fails closed; query tokens still work).
   */
  static final class HeaderCapture extends ServerEndpointConfig.Configurator {
    volatile Map<String, Object> shared;
    private volatile boolean warned;

    @Override
    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request,
        HandshakeResponse response) {
      Map<String, Object> props = sec.getUserProperties();
      if (props == shared) {
        if (!warned) {
          warned = true;
          LOG.warning("the WebSocket container shares user properties between handshakes;"
              + " handshake headers are not given to agent authenticators");
        }
        return;
      }
      props.put(AgentEndpoint.HEADERS, new LinkedHashMap<>(request.getHeaders()));
    }
  }
}
