package dev.steadfast.agent.runtime;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.Callable;
import dev.steadfast.agent.CallableInfo;
import dev.steadfast.agent.StreamingResponse;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** What the runtime knows of one agent class: route name, state type, callable methods. */
public final class AgentType {
  private final Class<? extends Agent<?>> type;
  private final String kebab;
  private final Type stateType;
  private final Map<String, Method> callables = new LinkedHashMap<>();
  private final Map<String, CallableInfo> infos = new TreeMap<>();
  private final Map<String, Method> publicMethods = new LinkedHashMap<>();

  public AgentType(Class<? extends Agent<?>> type) {
    this.type = type;
    this.kebab = AgentNames.kebab(type.getSimpleName());
    this.stateType = stateTypeOf(type);
    for (Method m : type.getMethods()) {
      if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
        continue;
      }
      publicMethods.putIfAbsent(m.getName(), m);
      Callable c = m.getAnnotation(Callable.class);
      if (c != null) {
        if (c.streaming() && (m.getParameterCount() == 0
            || m.getParameterTypes()[0] != StreamingResponse.class)) {
          throw new IllegalArgumentException(type.getName() + "." + m.getName()
              + " is streaming: its first parameter must be a StreamingResponse");
        }
        callables.put(m.getName(), m);
        infos.put(m.getName(), new CallableInfo(m.getName(), c.description(), c.streaming()));
      }
    }
  }

  /** The S of {@code Agent<S>}, found along the superclass chain; Object when not concrete. */
  static Type stateTypeOf(Class<?> c) {
    for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
      if (k.getGenericSuperclass() instanceof ParameterizedType p
          && p.getRawType() == Agent.class) {
        Type s = p.getActualTypeArguments()[0];
        return s instanceof Class<?> || s instanceof ParameterizedType ? s : Object.class;
      }
    }
    return Object.class;
  }

  public Class<? extends Agent<?>> type() {
    return type;
  }

  public String kebab() {
    return kebab;
  }

  public Type stateType() {
    return stateType;
  }

  public Map<String, CallableInfo> callableInfos() {
    return Collections.unmodifiableMap(infos);
  }

  public Method callable(String name) {
    return callables.get(name);
  }

  public boolean hasPublicMethod(String name) {
    return publicMethods.containsKey(name);
  }

  /** A callback method for schedules and queue items: public, any of the given name. */
  public Method callback(String name) {
    Method m = publicMethods.get(name);
    if (m == null) {
      // callbacks may also be non-public methods of the agent class itself
      for (Class<?> k = type; k != null && k != Agent.class; k = k.getSuperclass()) {
        for (Method d : k.getDeclaredMethods()) {
          if (d.getName().equals(name) && !Modifier.isStatic(d.getModifiers())) {
            d.setAccessible(true);
            return d;
          }
        }
      }
    }
    return m;
  }
}
