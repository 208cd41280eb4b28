package dev.steadfast.agent.runtime;

import dev.steadfast.agent.Callable;
import dev.steadfast.agent.Connection;
import dev.steadfast.agent.StreamingResponse;
import jakarta.json.JsonValue;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one RPC frame against an instance and writes its reply(ies). Each call runs on its own
 * worker so replies go out in completion order, not arrival order.
 */
final class Rpc {
  private Rpc() {}

  /** Handles {@code call}; the returned stage completes once the call finished. */
  static CompletionStage<?> handle(AgentInstance in, Connection c, Codec codec, Codec.Rpc call) {
    CompletionStage<?> finished = CompletableFuture.completedFuture(null);
    String agent = in.type().kebab();
    in.metrics().rpc(agent);
    Method m = in.type().callable(call.method());
    if (m == null) {
      in.metrics().rpcFailed(agent);
      c.send(Codec.rpcError(call.id(), in.type().hasPublicMethod(call.method())
          ? "Method " + call.method() + " is not callable"
          : "Method " + call.method() + " does not exist"));
      return finished;
    }
    boolean streaming = m.getAnnotation(Callable.class).streaming();
    Stream stream = streaming ? new Stream(c, codec, call.id()) : null;
    Object result;
    try {
      Object[] args = arguments(codec, m, call.args(), stream);
      result = in.onBehalfOf(c, () -> Invoker.invoke(m, in.agent(), args));
    } catch (RuntimeException | Error e) {
      in.metrics().rpcFailed(agent);
      fail(c, call.id(), stream, Invoker.message(e));
      return finished;
    }
    if (result instanceof CompletionStage<?> cs) {
      return cs.whenComplete((v, err) -> {
        if (err != null) {
          in.metrics().rpcFailed(agent);
          fail(c, call.id(), stream, Invoker.message(err));
        } else if (stream == null) {
          c.send(Codec.rpcResult(call.id(), true, codec.write(v)));
        }
      });
    } else if (stream == null) {
      boolean isVoid = m.getReturnType() == void.class;
      c.send(Codec.rpcResult(call.id(), true, isVoid ? null : codec.write(result)));
    }
    return finished;
  }

  private static void fail(Connection c, String id, Stream stream, String message) {
    if (stream != null) {
      stream.error(message);
    } else {
      c.send(Codec.rpcError(id, message));
    }
  }

  private static Object[] arguments(Codec codec, Method m, List<JsonValue> args, Stream stream) {
    Type[] types = m.getGenericParameterTypes();
    Class<?>[] raw = m.getParameterTypes();
    Object[] out = new Object[types.length];
    int offset = stream == null ? 0 : 1;
    if (stream != null) {
      out[0] = stream;
    }
    for (int i = offset; i < types.length; i++) {
      int a = i - offset;
      JsonValue v = a < args.size() ? args.get(a) : JsonValue.NULL;
      try {
        out[i] = codec.read(v.toString(), types[i]);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("argument " + (a + 1) + " of " + m.getName()
            + " is not a " + raw[i].getSimpleName());
      }
      if (out[i] == null && raw[i].isPrimitive()) {
        throw new IllegalArgumentException("argument " + (a + 1) + " of " + m.getName()
            + " is missing");
      }
    }
    return out;
  }

  /** The stream handle: first end or error wins, later sends are dropped. */
  static final class Stream implements StreamingResponse {
    private final Connection c;
    private final Codec codec;
    private final String id;
    private final AtomicBoolean closed = new AtomicBoolean();

    Stream(Connection c, Codec codec, String id) {
      this.c = c;
      this.codec = codec;
      this.id = id;
    }

    @Override
    public void send(Object chunk) {
      if (!closed.get()) {
        c.send(Codec.rpcResult(id, false, codec.write(chunk)));
      }
    }

    @Override
    public void end(Object finalValue) {
      if (closed.compareAndSet(false, true)) {
        c.send(Codec.rpcResult(id, true, codec.write(finalValue)));
      }
    }

    @Override
    public void error(String message) {
      if (closed.compareAndSet(false, true)) {
        c.send(Codec.rpcError(id, message));
      }
    }

    @Override
    public boolean isClosed() {
      return closed.get();
    }
  }
}
