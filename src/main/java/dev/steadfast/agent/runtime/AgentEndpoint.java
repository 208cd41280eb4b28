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
import java.util.function.Consumer;

/**
 * The WebSocket side of an agent connection: admits it (authenticators, 1008 on refusal), then
 * hands frames to a {@link ClientSession}. Registered programmatically by {@link AgentEndpoints}
 * under the configured prefix.
 */
public class AgentEndpoint extends Endpoint {
  static final String HEADERS = "steadfast.agent.headers";
  static final int POLICY_VIOLATION = CloseCodes.POLICY_VIOLATION;
  /** The client's transport choice; only its default WebSocket RPC is spoken here. */
  static final String TRANSPORT = "__agents_transport";
  private volatile ClientSession client;

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    session.setMaxIdleTimeout(0); // liveness is the runtime's pings, not an idle cut-off
    IdleTimerFilter.install(session); // Payara: no timer task per frame for that timeout
    AgentRuntime rt = CDI.current().select(AgentRegistry.class).get().runtime();
    ConnectContext ctx = context(session.getPathParameters(), session.getRequestParameterMap(),
        session.getUserProperties(), config.getUserProperties());
    Wire wire = new SessionWire(session);
    String refusal = refusal(rt, session.getPathParameters(), ctx);
    if (refusal != null) {
      int code = refusal.startsWith("Sub-agents") ? CloseCodes.NOT_FOUND
          : refusal.startsWith("Transport") ? CloseCodes.UNSUPPORTED_TRANSPORT : POLICY_VIOLATION;
      wire.close(code, refusal);
      return;
    }
    // larger frames are refused by the container itself, which closes with 1009
    session.setMaxTextMessageBufferSize(rt.limits().maxMessage());
    session.setMaxBinaryMessageBufferSize(rt.limits().maxMessage());
    ClientSession c;
    try {
      c = rt.connect(ctx, wire);
    } catch (AgentElsewhereException e) {
      // live on another server, perhaps one that just died: wait for its lease, holding what the
      // client sends meanwhile
      Held held = new Held(wire);
      session.addMessageHandler(String.class, held::text);
      session.addMessageHandler(PongMessage.class, p -> held.seen());
      rt.connectWhenFree(ctx, wire, session::isOpen, s -> {
        client = s;
        held.attach(s, session.isOpen());
      });
      return;
    }
    if (c == null) {
      return; // over the connection limit: closed already
    }
    client = c;
    session.addMessageHandler(String.class, c::text);
    session.addMessageHandler(PongMessage.class, p -> c.seen());
  }

  /**
   * The frames of a connection waiting for its agent, handed over in order once it is live
   * here. At most {@link #HELD_FRAMES}: a client that sends more before it is answered is closed
   * with 1013.
   */
  static final class Held {
    static final int HELD_FRAMES = 256;
    private final Wire wire;
    private final java.util.ArrayDeque<String> frames = new java.util.ArrayDeque<>();
    private ClientSession session;
    private boolean gaveUp;

    Held(Wire wire) {
      this.wire = wire;
    }

    synchronized void text(String frame) {
      if (session != null) {
        session.text(frame);
      } else if (frames.size() >= HELD_FRAMES) {
        if (!gaveUp) {
          gaveUp = true;
          wire.close(CloseCodes.TRY_AGAIN_LATER, "Too many messages before the agent was ready");
        }
      } else {
        frames.add(frame);
      }
    }

    synchronized void seen() {
      if (session != null) {
        session.seen();
      }
    }

    /** The agent is live here now: what was held goes to {@code s}, then every later frame. */
    synchronized void attach(ClientSession s, boolean open) {
      session = s;
      if (!open || gaveUp) {
        s.closed(CloseCodes.GOING_AWAY, "closed while waiting for the agent");
        return;
      }
      for (String f = frames.poll(); f != null; f = frames.poll()) {
        s.text(f);
      }
    }
  }

  /** Why this connection is refused, or null to admit it. */
  static String refusal(AgentRuntime rt, Map<String, String> path, ConnectContext ctx) {
    if (rt == null || !rt.knows(ctx.agent())) {
      return "Invalid request";
    }
    String transport = ctx.query().get(TRANSPORT);
    if (transport != null && !transport.isEmpty() && !transport.equals("websocket")) {
      // the 0.32 client's experimental Cap'n Web RPC: refused with a code it will not retry
      return "Transport " + transport + " is not supported";
    }
    if ("sub".equals(path.get("p1")) && path.get("p3") != null) {
      return "Sub-agents are not supported"; // the client's reserved /sub/{child}/{name} route
    }
    if (!rt.admit(ctx)) {
      return "Unauthorized";
    }
    return null;
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

  /**
   * The Jakarta WebSocket session as a {@link Wire}. Text goes out asynchronously (the writer of
   * {@link LiveConnection} keeps one frame in flight, so frames stay in order); a send that never
   * completes is caught by the runtime's send timeout, not by a blocked thread.
   */
  record SessionWire(Session session) implements Wire {
    /**
     * The context class loader a send runs with. Tyrus (Payara) restarts a session's idle timer
     * on every send, by scheduling a task on a managed scheduled executor, and Payara captures
     * the caller's context for it with a {@code ServiceLoader} over the context class loader:
     * with the application's, a look through every jar of the application and of the server,
     * 77 % of a broadcast's time in a profile (a broadcast to 5,000 clients: 330 ms). The
     * platform class loader has no such jars; the timer task (which does nothing, there being no
     * idle timeout) runs the same. Other containers ignore the context class loader here.
     * Since {@link IdleTimerFilter} drops that task, this matters only where the filter could not
     * be installed (a Tyrus without the field it replaces): the fallback, kept for that case.
     */
    private static final ClassLoader SEND_LOADER = ClassLoader.getPlatformClassLoader();

    @Override
    public void send(String text, Consumer<Throwable> done) {
      Thread t = Thread.currentThread();
      ClassLoader app = t.getContextClassLoader();
      t.setContextClassLoader(SEND_LOADER);
      try {
        session.getAsyncRemote().sendText(text, r -> {
          // a completion on this very thread (inside sendText) runs the runtime's code, which
          // gets the application's class loader back
          Thread now = Thread.currentThread();
          ClassLoader current = now.getContextClassLoader();
          if (current == SEND_LOADER) {
            now.setContextClassLoader(app);
          }
          try {
            done.accept(r.isOK() ? null : r.getException());
          } finally {
            now.setContextClassLoader(current);
          }
        });
      } finally {
        t.setContextClassLoader(app);
      }
    }

    @Override
    public void ping() {
      Thread t = Thread.currentThread();
      ClassLoader app = t.getContextClassLoader();
      t.setContextClassLoader(SEND_LOADER);
      try {
        session.getBasicRemote().sendPing(ByteBuffer.allocate(0));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        t.setContextClassLoader(app);
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
