package dev.steadfast.workflow.engine;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON for params, step results, payloads and outputs (Jakarta JSON Binding). Results are stored
 * with the name of their class so they come back with their type even when the caller gave none.
 */
public final class Json {
  private final Jsonb jsonb;
  private final Map<String, Class<?>> classes = new ConcurrentHashMap<>();

  public Json() {
    this.jsonb = JsonbBuilder.create(new JsonbConfig().withNullValues(true));
  }

  /** Serializes {@code value}; null becomes {@code "null"}. */
  public String write(Object value) {
    if (value == null) {
      return "null";
    }
    return jsonb.toJson(value);
  }

  /** Reads {@code json} as {@code type}; {@code Object} gives maps, lists, strings, numbers. */
  public Object read(String json, Type type) {
    if (json == null || json.equals("null")) {
      return null;
    }
    return jsonb.fromJson(json, type == null ? Object.class : type);
  }

  /** The class name to record for a result, or null for null. */
  public static String typeName(Object value) {
    return value == null ? null : value.getClass().getName();
  }

  /** The recorded class, loaded with {@code loader}; Object when unknown or not loadable. */
  public Type resolve(String className, ClassLoader loader) {
    if (className == null) {
      return Object.class;
    }
    return classes.computeIfAbsent(
        className,
        n -> {
          try {
            Class<?> c = Class.forName(n, false, loader);
            // collections and maps lose their element types: read them as plain JSON values
            if (java.util.Collection.class.isAssignableFrom(c)
                || java.util.Map.class.isAssignableFrom(c)) {
              return Object.class;
            }
            return c;
          } catch (ClassNotFoundException e) {
            return Object.class;
          }
        });
  }

  /** Size of the JSON text in UTF-8 bytes. */
  public static int utf8Length(String json) {
    int n = 0;
    for (int i = 0; i < json.length(); i++) {
      char ch = json.charAt(i);
      if (ch < 0x80) {
        n++;
      } else if (ch < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(ch)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
