package dev.steadfast.api;

import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParsingException;
import java.io.StringReader;
import java.time.Instant;

/**
 * JSON written straight into a {@link StringBuilder}, for answers too large to build as a JSON-P
 * tree first (instance details with thousands of steps): no object per value, no map per
 * object. Commas are placed by the writer; names and values are escaped as JSON-P escapes
 * them. Stored JSON (params, outputs) is copied token by token through a streaming parser,
 * which also checks it: text that is not JSON is written as a string, as the tree did.
 */
final class JsonText {
  private final StringBuilder out;
  /** Whether the container being written has a value already (a comma goes before the next). */
  private boolean[] filled = new boolean[16];
  private int depth;
  /** A name was written: the next value follows it without a comma. */
  private boolean afterName;

  JsonText(int capacity) {
    out = new StringBuilder(capacity);
  }

  private void beforeValue() {
    if (afterName) {
      afterName = false;
      return;
    }
    if (depth > 0) {
      if (filled[depth]) {
        out.append(',');
      }
      filled[depth] = true;
    }
  }

  private void open(char c) {
    beforeValue();
    out.append(c);
    if (++depth == filled.length) {
      filled = java.util.Arrays.copyOf(filled, depth * 2);
    }
    filled[depth] = false;
  }

  JsonText beginObject() {
    open('{');
    return this;
  }

  JsonText beginArray() {
    open('[');
    return this;
  }

  JsonText end(char c) {
    depth--;
    out.append(c);
    return this;
  }

  JsonText endObject() {
    return end('}');
  }

  JsonText endArray() {
    return end(']');
  }

  JsonText name(String name) {
    beforeValue();
    quote(name);
    out.append(':');
    afterName = true;
    return this;
  }

  JsonText value(String s) {
    beforeValue();
    if (s == null) {
      out.append("null");
    } else {
      quote(s);
    }
    return this;
  }

  JsonText value(long n) {
    beforeValue();
    out.append(n);
    return this;
  }

  JsonText value(boolean b) {
    beforeValue();
    out.append(b);
    return this;
  }

  /** true, false or null. */
  JsonText value(Boolean b) {
    beforeValue();
    out.append(b == null ? "null" : b.toString());
    return this;
  }

  JsonText nullValue() {
    beforeValue();
    out.append("null");
    return this;
  }

  /** ISO-8601 as {@link Wire#time}, or null. */
  JsonText time(Long epochMillis) {
    return value(epochMillis == null ? null : Instant.ofEpochMilli(epochMillis).toString());
  }

  /** {@code {name, message}}, or null when both are null (as {@link Wire#error}). */
  JsonText error(String name, String message) {
    if (name == null && message == null) {
      return nullValue();
    }
    return beginObject().name("name").value(name).name("message").value(message).endObject();
  }

  /**
   * Stored JSON text as a JSON value (null for null); text that is not one JSON value is written
   * as a string, as {@link Wire#json} shows it.
   */
  JsonText stored(String text) {
    if (text == null) {
      return nullValue();
    }
    int mark = out.length();
    boolean[] savedFilled = filled.clone();
    int savedDepth = depth;
    boolean savedAfterName = afterName;
    try (JsonParser p = Jsonp.P.createParser(new StringReader(text))) {
      int level = 0;
      boolean any = false;
      while (p.hasNext()) {
        JsonParser.Event e = p.next();
        if (any && level == 0) {
          throw new JsonParsingException("more than one value", p.getLocation());
        }
        any = true;
        switch (e) {
          case START_OBJECT -> {
            beginObject();
            level++;
          }
          case START_ARRAY -> {
            beginArray();
            level++;
          }
          case END_OBJECT -> {
            endObject();
            level--;
          }
          case END_ARRAY -> {
            endArray();
            level--;
          }
          case KEY_NAME -> name(p.getString());
          case VALUE_STRING -> value(p.getString());
          case VALUE_NUMBER -> {
            beforeValue();
            out.append(p.getBigDecimal());
          }
          case VALUE_TRUE -> value(true);
          case VALUE_FALSE -> value(false);
          case VALUE_NULL -> nullValue();
          default -> throw new IllegalStateException(String.valueOf(e));
        }
      }
      if (!any) {
        throw new JsonParsingException("no value", p.getLocation());
      }
      return this;
    } catch (RuntimeException notJson) {
      out.setLength(mark);
      filled = savedFilled;
      depth = savedDepth;
      afterName = savedAfterName;
      return value(text);
    }
  }

  /** The string quoted and escaped as JSON-P writes it (control characters as \\uXXXX). */
  private void quote(String s) {
    out.append('"');
    int from = 0;
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(s, from, i);
      from = i + 1;
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          String hex = Integer.toHexString(c);
          out.append("\\u").append("0000", 0, 4 - hex.length()).append(hex);
        }
      }
    }
    out.append(s, from, s.length()).append('"');
  }

  /** Appends a JSON-P value (small parts: a rollback) as it is. */
  JsonText value(jakarta.json.JsonValue v) {
    return raw(v.toString());
  }

  /** Appends JSON text this class or JSON-P wrote (never text from outside). */
  JsonText raw(String json) {
    beforeValue();
    out.append(json);
    return this;
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
