package dev.steadfast.workflow;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/**
 * Captures a generic type so that a step result such as {@code List<Order>} comes back with its
 * element type after a server restart: {@code new TypeRef<List<Order>>() {}}.
 */
public abstract class TypeRef<T> {
  private final Type type;

  protected TypeRef() {
    Type superclass = getClass().getGenericSuperclass();
    if (!(superclass instanceof ParameterizedType parameterized)) {
      throw new IllegalStateException("TypeRef must be created with a type argument");
    }
    this.type = parameterized.getActualTypeArguments()[0];
  }

  private TypeRef(Type type) {
    this.type = type;
  }

  /** A TypeRef for a type known only at run time. */
  public static <T> TypeRef<T> of(Type type) {
    return new TypeRef<>(type) {};
  }

  public Type type() {
    return type;
  }
}
