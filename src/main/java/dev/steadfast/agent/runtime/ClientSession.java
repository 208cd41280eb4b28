package dev.steadfast.agent.runtime;

import dev.steadfast.agent.ConnectContext;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The protocol on one client connection, independent of the WebSocket API. Frames are handled in
 * arrival order on a per-connection serial executor, so none is handled before onConnect has
 * finished; an RPC only starts there and then runs on a worker of its own.
 */
public final class ClientSession {
  private static final Logger LOG = Logger.getLogger(ClientSession.class.getName());
  private final AgentRuntime runtime;
  private final AgentInstance instance;
  private final ConnectContext context;
  private final Wire wire;
  private final SerialExecutor serial;
  private final Executor workers;
  private volatile LiveConnection connection;
  private final AtomicBoolean ended = new AtomicBoolean();

  ClientSession(AgentRuntime runtime, AgentInstance instance, ConnectContext context, Wire wire,
      Executor workers) {
    this.runtime = runtime;
    this.instance = instance;
    this.context = context;
    this.wire = wire;
    this.workers = workers;
    this.serial = new SerialExecutor(workers);
    instance.busy(); // until open() added the connection, which then keeps the instance
  }

  /** Admits the connection: identity, state, MCP frames, then the agent's onConnect. */
  public void open() {
    serial.execute(() -> {
      try {
        admit();
      } finally {
        instance.done();
      }
    });
  }

  private void admit() {
    instance.exclusive(() -> {
      Set<String> tags;
      boolean readonly;
      try {
        tags = instance.agent().connectionTags(context);
        readonly = instance.agent().isReadonly(context);
      } catch (RuntimeException | Error e) {
        instance.reportError(null, e);
        tags = Set.of();
        readonly = false;
      }
      LiveConnection c = new LiveConnection(context.connectionId(), tags, readonly,
          context.query(), wire, workers, runtime.limits(),
          () -> closed(CloseCodes.TRY_AGAIN_LATER, "too slow"));
      boolean hasState = instance.hasState();
      c.send(Codec.identity(instance.name(), instance.type().kebab(), hasState));
      if (hasState) {
        c.send(Codec.state(instance.stateJson()));
      }
      c.send(Codec.MCP_SERVERS);
      instance.add(c);
      connection = c;
      instance.hook(c, () -> instance.agent().onConnect(c, context));
    });
  }

  /** A text frame from the client. */
  public void text(String text) {
    seen();
    if (text.length() > runtime.limits().maxMessage()) {
      // the container enforces this on the socket; a wire that does not must not get further
      tooBig(text.length());
      return;
    }
    serial.execute(() -> {
      LiveConnection c = connection;
      if (c == null) {
        return; // admission failed
      }
      if (text.equals("ping")) {
        c.send("pong"); // a proxy-friendly heartbeat (agents#2242), not a message for the agent
        return;
      }
      Codec.Frame f = Codec.classify(text);
      if (f instanceof Codec.Rpc rpc) {
        instance.busy(); // a call in flight keeps the instance, even after a disconnect
        workers.execute(() -> {
          try {
            Rpc.handle(instance, c, runtime.codec(), rpc).whenComplete((v, e) -> instance.done());
          } catch (RuntimeException | Error e) {
            instance.done();
            LOG.log(Level.WARNING, "RPC " + rpc.method() + " failed", e);
          }
        });
      } else if (f instanceof Codec.StateUpdate s) {
        instance.setStateFromClient(c, s.state().toString());
      } else {
        instance.hook(c, () -> instance.agent().onMessage(c, text));
      }
    });
  }

  /** A pong (or any sign of life) from the client. */
  public void seen() {
    LiveConnection c = connection;
    if (c != null) {
      c.lastSeen = System.currentTimeMillis();
      c.pingOutstanding = false;
    }
  }

  private void tooBig(int length) {
    LOG.info("closing agent connection " + context.connectionId() + ": a frame of " + length
        + " characters is over steadfast.agents.max-message-size");
    closed(CloseCodes.TOO_BIG, "Message too big");
    runtime.execute(() -> wire.close(CloseCodes.TOO_BIG, "Message too big"));
  }

  /** The connection ended (the client closed, or the runtime gave it up); once only. */
  public void closed(int code, String reason) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    runtime.disconnected();
    serial.execute(() -> {
      LiveConnection c = connection;
      if (c != null) {
        c.markClosed();
        if (instance.remove(c)) {
          instance.hook(c, () -> instance.agent().onClose(c, code, reason));
        }
      }
    });
  }

  public void error(Throwable t) {
    LiveConnection c = connection;
    instance.hook(c, () -> instance.reportError(c, t));
  }
}
