package dev.steadfast.api;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strict reading of request bodies with JSON-P: the whole text must be one JSON value, objects
 * may hold only the fields an endpoint knows, and every field must have its type. Each refusal
 * names the field, so a client sees what to fix (code 10002).
 */
final class Bodies {
  private Bodies() {}

  /** The body as a JSON value; null for an empty body. */
  static JsonValue parse(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try (JsonParser p = Jsonp.P.createParser(new StringReader(text))) {
      if (!p.hasNext()) {
        return null;
      }
      p.next();
      JsonValue v = p.getValue();
      if (p.hasNext()) {
        throw ApiError.invalidBody("the body holds more than one JSON value");
      }
      return v;
    } catch (ApiError e) {
      throw e;
    } catch (StackOverflowError e) {
      throw ApiError.invalidBody("the body is nested too deeply");
    } catch (RuntimeException e) {
      // JsonParsingException, and NoSuchElementException/IllegalStateException on truncated text
      throw ApiError.invalidBody("the body is not valid JSON: " + e.getMessage());
    }
  }

  /** The body as an object with only {@code allowed} fields; an empty body is an empty object. */
  static JsonObject object(String text, Set<String> allowed) {
    JsonValue v = parse(text);
    return object(v == null ? JsonValue.EMPTY_JSON_OBJECT : v, "the body", allowed);
  }

  static JsonObject object(JsonValue v, String what, Set<String> allowed) {
    if (!(v instanceof JsonObject o)) {
      throw ApiError.invalidBody(what + " must be a JSON object, got " + kind(v));
    }
    for (String key : o.keySet()) {
      if (!allowed.contains(key)) {
        throw ApiError.invalidBody(what + " has an unknown field '" + key + "' (allowed: "
            + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
    }
    return o;
  }

  /** A string field, or null when absent or null. */
  static String string(JsonObject o, String field) {
    JsonValue v = o.get(field);
    if (v == null || v == JsonValue.NULL) {
      return null;
    }
    if (!(v instanceof JsonString s)) {
      throw ApiError.invalidBody("field '" + field + "' must be a string, got " + kind(v));
    }
    return s.getString();
  }

  /** A whole-number field, or null when absent or null. */
  static Integer integer(JsonObject o, String field) {
    JsonValue v = o.get(field);
    if (v == null || v == JsonValue.NULL) {
      return null;
    }
    if (!(v instanceof JsonNumber n) || !n.isIntegral()) {
      throw ApiError.invalidBody("field '" + field + "' must be a whole number, got " + kind(v));
    }
    try {
      return n.bigDecimalValue().intValueExact();
    } catch (ArithmeticException e) {
      throw ApiError.invalidBody("field '" + field + "' is out of range: " + n);
    }
  }

  static JsonArray array(JsonValue v, String what) {
    if (!(v instanceof JsonArray a)) {
      throw ApiError.invalidBody(what + " must be a JSON array, got " + kind(v));
    }
    return a;
  }

  static String kind(JsonValue v) {
    if (v == null) {
      return "nothing";
    }
    return switch (v.getValueType()) {
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case TRUE, FALSE -> "a boolean";
      case NULL -> "null";
    };
  }

  /** Plain Java values (maps, lists, strings, numbers, booleans) for the engine to store. */
  static Object toJava(JsonValue v) {
    if (v == null) {
      return null;
    }
    switch (v.getValueType()) {
      case OBJECT:
        Map<String, Object> m = new LinkedHashMap<>();
        ((JsonObject) v).forEach((k, x) -> m.put(k, toJava(x)));
        return m;
      case ARRAY:
        List<Object> l = new ArrayList<>();
        ((JsonArray) v).forEach(x -> l.add(toJava(x)));
        return l;
      case STRING:
        return ((JsonString) v).getString();
      case NUMBER:
        JsonNumber n = (JsonNumber) v;
        if (n.isIntegral()) {
          try {
            return n.bigDecimalValue().longValueExact();
          } catch (ArithmeticException e) {
            return n.bigDecimalValue();
          }
        }
        return n.bigDecimalValue();
      case TRUE:
        return Boolean.TRUE;
      case FALSE:
        return Boolean.FALSE;
      default:
        return null;
    }
  }
}
