package dev.steadfast.agent.runtime;

import jakarta.websocket.Endpoint;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerApplicationConfig;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Registers the agent WebSocket endpoint at {@code /agents/{agent}/{name}} and with up to three
 * sub-path segments (URI templates have no wildcard). Also keeps any annotated endpoints.
 */
public class AgentEndpoints implements ServerApplicationConfig {
  static final List<String> PATHS = List.of("/agents/{agent}/{name}",
      "/agents/{agent}/{name}/{p1}", "/agents/{agent}/{name}/{p1}/{p2}",
      "/agents/{agent}/{name}/{p1}/{p2}/{p3}");

  @Override
  public Set<ServerEndpointConfig> getEndpointConfigs(Set<Class<? extends Endpoint>> classes) {
    Set<ServerEndpointConfig> out = new HashSet<>();
    for (String path : PATHS) {
      out.add(ServerEndpointConfig.Builder.create(AgentEndpoint.class, path)
          .configurator(new HeaderCapture()).build());
    }
    return out;
  }

  @Override
  public Set<Class<?>> getAnnotatedEndpointClasses(Set<Class<?>> scanned) {
    return scanned;
  }

  /**
   * Passes the handshake headers to the session (an authenticator may want Authorization). The
   * container copies user properties into each new session right after the handshake.
   */
  static final class HeaderCapture extends ServerEndpointConfig.Configurator {
    @Override
    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request,
        HandshakeResponse response) {
      Map<String, List<String>> headers = new LinkedHashMap<>(request.getHeaders());
      sec.getUserProperties().put(AgentEndpoint.HEADERS, headers);
    }
  }
}
