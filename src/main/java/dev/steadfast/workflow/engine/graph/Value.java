package dev.steadfast.workflow.engine.graph;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the interpreter knows of one stack slot or local: a constant string (or a concatenation
 * with holes), a number, a lambda, a step config being built, a duration, an enum constant, a
 * class literal, or nothing.
 */
record Value(Kind kind, String text, Long number, ClassFile.Ref lambda,
    Map<String, Object> config, boolean wide) {
  enum Kind { STRING, TEMPLATE, NUMBER, LAMBDA, CONFIG, DURATION, ENUM, CLASS, UNKNOWN }

  static final Value UNKNOWN = new Value(Kind.UNKNOWN, null, null, null, null, false);
  static final Value UNKNOWN_WIDE = new Value(Kind.UNKNOWN, null, null, null, null, true);

  static Value unknown(boolean wide) {
    return wide ? UNKNOWN_WIDE : UNKNOWN;
  }

  static Value string(String s) {
    return new Value(Kind.STRING, s, null, null, null, false);
  }

  /** A concatenation: {@code *} stands for each part not known when compiled. */
  static Value template(String pattern) {
    return new Value(Kind.TEMPLATE, pattern, null, null, null, false);
  }

  static Value number(long n, boolean wide) {
    return new Value(Kind.NUMBER, null, n, null, null, wide);
  }

  static Value lambda(ClassFile.Ref target) {
    return new Value(Kind.LAMBDA, null, null, target, null, false);
  }

  static Value config(Map<String, Object> fields) {
    return new Value(Kind.CONFIG, null, null, null, Map.copyOf(fields), false);
  }

  static Value duration(String text) {
    return new Value(Kind.DURATION, text, null, null, null, false);
  }

  static Value enumConstant(String name) {
    return new Value(Kind.ENUM, name, null, null, null, false);
  }

  static Value classLiteral(String name) {
    return new Value(Kind.CLASS, name, null, null, null, false);
  }

  /** A step config with one more field. */
  Value withConfig(String key, Object v) {
    Map<String, Object> m = new LinkedHashMap<>(config == null ? Map.of() : config);
    if (v != null) {
      m.put(key, v);
    }
    return config(m);
  }

  /** A name as the diagram shows it: the constant, a pattern with {@code *}, or null. */
  String name() {
    return kind == Kind.STRING || kind == Kind.TEMPLATE ? text : null;
  }

  /** A duration or string argument as written ("1 day", "150 ms"), or null. */
  String durationText() {
    if (kind == Kind.STRING || kind == Kind.DURATION) {
      return text;
    }
    if (kind == Kind.NUMBER) {
      return number + " ms";
    }
    return null;
  }
}
