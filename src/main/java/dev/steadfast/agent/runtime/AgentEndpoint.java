package dev.steadfast.agent.runtime;

import dev.steadfast.agent.ConnectContext;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The WebSocket side of an agent connection: admits it (authenticators, 1008 on refusal), then
 * hands frames to a {@link ClientSession}. Registered programmatically by {@link AgentEndpoints}
 * under the configured prefix.
 */
public class AgentEndpoint extends Endpoint {
  static final String HEADERS = "steadfast.agent.headers";
  static final int POLICY_VIOLATION = 1008;
  private volatile ClientSession client;

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    session.setMaxIdleTimeout(0); // liveness is the runtime's pings, not an idle cut-off
    AgentRuntime rt = CDI.current().select(AgentRegistry.class).get().runtime();
    ConnectContext ctx = context(session.getPathParameters(), session.getRequestParameterMap(),
        session.getUserProperties(), config.getUserProperties());
    Wire wire = new SessionWire(session);
    if (rt == null || !rt.knows(ctx.agent())) {
      wire.close(POLICY_VIOLATION, "Invalid request");
      return;
    }
    if (!rt.admit(ctx)) {
      wire.close(POLICY_VIOLATION, "Unauthorized");
      return;
    }
    ClientSession c = rt.connect(ctx, wire);
    client = c;
    session.addMessageHandler(String.class, c::text);
    session.addMessageHandler(PongMessage.class, p -> c.seen());
  }

  /**
   * What the client sent: route, {@code _pk}, query, and the headers this connection's handshake
   * left in its user properties (see {@link AgentEndpoints.HeaderCapture}). The headers are
   * taken out so credentials do not linger in the session.
   */
  @SuppressWarnings("unchecked")
  static ConnectContext context(Map<String, String> path, Map<String, List<String>> params,
      Map<String, Object> sessionProperties, Map<String, Object> configProperties) {
    Map<String, String> query = new LinkedHashMap<>();
    params.forEach((k, v) -> query.put(k, v.isEmpty() ? "" : v.get(0)));
    String pk = query.getOrDefault("_pk", "");
    Object fromConfig = configProperties.remove(HEADERS);
    Object fromSession = sessionProperties.remove(HEADERS);
    Object headers = fromSession != null ? fromSession : fromConfig;
    return new ConnectContext(path.get("agent"), path.get("name"),
        pk.isBlank() ? UUID.randomUUID().toString() : pk, Map.copyOf(query),
        headers instanceof Map<?, ?> h ? (Map<String, List<String>>) h : Map.of());
  }

  @Override
  public void onClose(Session session, CloseReason reason) {
    ClientSession c = client;
    if (c != null) {
      c.closed(reason.getCloseCode().getCode(), reason.getReasonPhrase());
    }
  }

  @Override
  public void onError(Session session, Throwable thr) {
    ClientSession c = client;
    if (c != null && !(thr instanceof IOException)) {
      c.error(thr);
    }
  }

  /** The Jakarta WebSocket session as a {@link Wire}; blocking sends keep frames in order. */
  record SessionWire(Session session) implements Wire {
    @Override
    public void send(String text) {
      try {
        session.getBasicRemote().sendText(text);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void ping() {
      try {
        session.getBasicRemote().sendPing(ByteBuffer.allocate(0));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close(int code, String reason) {
      try {
        session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
