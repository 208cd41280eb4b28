package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A deployed workflow: its name, binding, class, params and output types, how to get an instance
 * of the class for a turn, and its {@link WorkflowPolicy} (concurrency limit, schedules,
 * retention).
 */
public record WorkflowDefinition(
    String name,
    String binding,
    Class<?> workflowClass,
    Type paramsType,
    Type outputType,
    String versionId,
    Supplier<? extends WorkflowEntrypoint<?, ?>> factory,
    WorkflowPolicy policy) {

  public WorkflowDefinition {
    policy = policy == null ? WorkflowPolicy.NONE : policy;
  }

  /** This definition with another policy (configuration overriding the annotation). */
  public WorkflowDefinition withPolicy(WorkflowPolicy p) {
    return new WorkflowDefinition(name, binding, workflowClass, paramsType, outputType, versionId,
        factory, p);
  }

  /** A definition for a class annotated with {@link Workflow}. */
  public static WorkflowDefinition of(
      Class<? extends WorkflowEntrypoint<?, ?>> type,
      Supplier<? extends WorkflowEntrypoint<?, ?>> factory) {
    Workflow w = type.getAnnotation(Workflow.class);
    if (w == null) {
      throw new WorkflowException(
          WorkflowException.Reason.INVALID, type.getName() + " has no @Workflow annotation");
    }
    return of(w.name(), w.binding().isEmpty() ? w.name() : w.binding(), type, factory);
  }

  /** A definition with an explicit name and binding. */
  public static WorkflowDefinition of(
      String name,
      String binding,
      Class<?> type,
      Supplier<? extends WorkflowEntrypoint<?, ?>> factory) {
    Limits.checkWorkflowName(name);
    Type[] args = typeArguments(type);
    return new WorkflowDefinition(name, binding, type, args[0], args[1], versionOf(name, type),
        factory, WorkflowPolicy.of(type.getAnnotation(Workflow.class)));
  }

  /**
   * A stable version id per workflow class: a UUID derived from the workflow name and class name,
   * so every server running the same deployment reports the same version.
   */
  static String versionOf(String name, Class<?> type) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((name + "\n" + type.getName()).getBytes(StandardCharsets.UTF_8));
      long hi = 0;
      long lo = 0;
      for (int i = 0; i < 8; i++) {
        hi = (hi << 8) | (digest[i] & 0xff);
        lo = (lo << 8) | (digest[8 + i] & 0xff);
      }
      hi = (hi & ~0xF000L) | 0x5000L; // version 5 style
      lo = (lo & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
      return new UUID(hi, lo).toString();
    } catch (NoSuchAlgorithmException e) {
      return HexFormat.of().formatHex(type.getName().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Resolves P and R of WorkflowEntrypoint<P, R> through the class hierarchy. */
  static Type[] typeArguments(Class<?> type) {
    Map<TypeVariable<?>, Type> bindings = new HashMap<>();
    Class<?> c = type;
    while (c != null && c != WorkflowEntrypoint.class) {
      Type sup = c.getGenericSuperclass();
      if (sup instanceof ParameterizedType p) {
        Class<?> raw = (Class<?>) p.getRawType();
        TypeVariable<?>[] vars = raw.getTypeParameters();
        Type[] actual = p.getActualTypeArguments();
        for (int i = 0; i < vars.length; i++) {
          Type a = actual[i];
          bindings.put(vars[i], a instanceof TypeVariable<?> tv ? bindings.getOrDefault(tv, Object.class) : a);
        }
        if (raw == WorkflowEntrypoint.class) {
          return new Type[] {
            bindings.getOrDefault(vars[0], Object.class), bindings.getOrDefault(vars[1], Object.class)
          };
        }
        c = raw;
      } else if (sup instanceof Class<?> raw) {
        c = raw;
      } else {
        break;
      }
    }
    return new Type[] {Object.class, Object.class};
  }
}
