package dev.steadfast.agent.runtime;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** Reflective calls into agent code, unwrapping the reflection wrapper off its exceptions. */
final class Invoker {
  private Invoker() {}

  static Object invoke(Method m, Object target, Object... args) {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new CompletionException(cause.getMessage(), cause);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot call " + m, e);
    }
  }

  /**
   * Calls a schedule or queue callback: {@code ()}, {@code (payload)} or {@code (payload, info)}.
   * The payload is converted from its JSON to the parameter's type.
   */
  static Object callback(Codec codec, Method m, Object target, String payloadJson, Object info) {
    Type[] params = m.getGenericParameterTypes();
    Object[] args = new Object[params.length];
    for (int i = 0; i < params.length; i++) {
      if (i == 0) {
        args[0] = codec.read(payloadJson, params[0]);
      } else if (info != null && m.getParameterTypes()[i].isInstance(info)) {
        args[i] = info;
      }
    }
    return invoke(m, target, args);
  }

  /** Waits for a callback's asynchronous result, outside the instance lock. */
  static void await(Object result) {
    if (result instanceof CompletionStage<?> cs) {
      cs.toCompletableFuture().join();
    }
  }

  static String message(Throwable e) {
    while ((e instanceof CompletionException
        || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
