package dev.steadfast.workflow.engine.graph;

import java.util.List;
import java.util.Map;

/**
 * What the interpreter knows of a few library calls and fields: the builders of step configs,
 * durations, backoff constants, and string concatenation (javac's {@code
 * makeConcatWithConstants}).
 */
final class KnownValues {
  private static final String STEP_CONFIG = "dev/steadfast/workflow/StepConfig";

  private KnownValues() {}

  /** The value of a static field read. */
  static Value field(ClassFile.Ref f) {
    if (f.owner().equals("dev/steadfast/workflow/Backoff")) {
      return Value.enumConstant(f.name());
    }
    if (f.owner().equals(STEP_CONFIG) && f.name().equals("DEFAULTS")) {
      return Value.config(Map.of());
    }
    return Value.unknown(Interpreter.wide(f.descriptor()));
  }

  /** The known result of a few library calls that build step configs and durations. */
  static Value result(ClassFile.Ref r, Value receiver, List<Value> args, String ret) {
    Value a0 = args.isEmpty() ? Value.UNKNOWN : args.get(0);
    if (r.owner().equals(STEP_CONFIG)) {
      Value base = receiver != null && receiver.kind() == Value.Kind.CONFIG ? receiver
          : Value.config(Map.of());
      switch (r.name()) {
        case "retries", "withLimit" -> {
          return base.withConfig("limit", a0.kind() == Value.Kind.NUMBER ? a0.number() : null);
        }
        case "delay", "withDelay" -> {
          return base.withConfig("delay", a0.durationText());
        }
        case "backoff" -> {
          return base.withConfig("backoff", a0.kind() == Value.Kind.ENUM
              ? a0.text().toLowerCase(java.util.Locale.ROOT) : null);
        }
        case "timeout", "withTimeout" -> {
          return base.withConfig("timeout", a0.durationText());
        }
        default -> {
          return base;
        }
      }
    }
    if (r.owner().equals("java/time/Duration") && r.name().startsWith("of")
        && a0.kind() == Value.Kind.NUMBER) {
      String unit = switch (r.name()) {
        case "ofMillis" -> "ms";
        case "ofSeconds" -> "seconds";
        case "ofMinutes" -> "minutes";
        case "ofHours" -> "hours";
        case "ofDays" -> "days";
        default -> null;
      };
      return unit == null ? Value.UNKNOWN : Value.duration(a0.number() + " " + unit);
    }
    if (r.owner().equals("dev/steadfast/workflow/Durations") && r.name().equals("parse")
        && a0.kind() == Value.Kind.STRING) {
      return Value.duration(a0.text());
    }
    return Value.unknown(Interpreter.wide(ret));
  }

  /** A string concatenation: known parts kept, each unknown part shown as {@code *}. */
  static Value concat(String recipe, List<Value> args) {
    StringBuilder s = new StringBuilder();
    boolean hole = false;
    int arg = 0;
    for (int i = 0; i < recipe.length(); i++) {
      char c = recipe.charAt(i);
      if (c == '\u0001') {
        Value v = arg < args.size() ? args.get(arg++) : Value.UNKNOWN;
        if (v.kind() == Value.Kind.STRING) {
          s.append(v.text());
        } else {
          s.append('*');
          hole = true;
        }
      } else if (c == '\u0002') {
        s.append('*');
        hole = true;
      } else {
        s.append(c);
      }
    }
    return hole ? Value.template(s.toString()) : Value.string(s.toString());
  }

}
