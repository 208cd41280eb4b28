package dev.steadfast.workflow.engine.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Walks a method's bytecode once, in address order, keeping what is known of the operand stack
 * and the locals: enough to tell which string constant (or concatenation) is the name passed to a
 * step method, which config and duration go with it, and where lambdas are made. Control flow is
 * not followed: at a jump target the stack recorded at the jump is used (javac leaves the stack
 * empty between statements, so this only matters inside expressions such as {@code a ? b : c}).
 */
final class Interpreter {
  /** An invocation of a step method or of a method of the workflow class itself. */
  record Call(int offset, int line, ClassFile.Ref method, List<Value> args) {}

  /** A lambda made at {@code offset} whose body is {@code target}. */
  record Lambda(int offset, ClassFile.Ref target) {}

  /** A jump: {@code targets} are absolute offsets; {@code conditional} unless goto or switch. */
  record Jump(int offset, int end, boolean conditional, int[] targets) {}

  /** What one method holds: calls, lambdas, jumps, and each instruction's offset and length. */
  record Trace(ClassFile.Method method, List<Call> calls, List<Lambda> lambdas,
      List<Jump> jumps, TreeMap<Integer, Integer> instructions) {}

  private static final Set<String> STEP_OWNERS = Set.of("dev/steadfast/workflow/WorkflowStep",
      "dev/steadfast/agent/AgentWorkflowStep");
  private static final String STEP_CONFIG = "dev/steadfast/workflow/StepConfig";

  private final ClassFile cf;
  private final ClassFile.Method m;
  private final byte[] code;
  private List<Value> stack = new ArrayList<>();
  private final Map<Integer, Value> locals = new HashMap<>();
  private final Map<Integer, List<Value>> atTarget = new HashMap<>();
  private final List<Call> calls = new ArrayList<>();
  private final List<Lambda> lambdas = new ArrayList<>();
  private final List<Jump> jumps = new ArrayList<>();
  private final TreeMap<Integer, Integer> instructions = new TreeMap<>();

  private Interpreter(ClassFile cf, ClassFile.Method m) {
    this.cf = cf;
    this.m = m;
    this.code = m.code();
  }

  static boolean isStepOwner(String owner) {
    return STEP_OWNERS.contains(owner);
  }

  static Trace trace(ClassFile cf, ClassFile.Method m) {
    Interpreter in = new Interpreter(cf, m);
    in.run();
    return new Trace(m, in.calls, in.lambdas, in.jumps, in.instructions);
  }

  private void run() {
    Set<Integer> handlers = new HashSet<>();
    for (ClassFile.Handler h : m.handlers()) {
      handlers.add(h.handler());
    }
    boolean fallsThrough = true;
    int pc = 0;
    while (pc < code.length) {
      if (handlers.contains(pc)) {
        stack = new ArrayList<>(List.of(Value.UNKNOWN)); // the caught exception
      } else if (!fallsThrough) {
        stack = new ArrayList<>(atTarget.getOrDefault(pc, List.of()));
      } else if (atTarget.containsKey(pc)) {
        stack = merge(stack, atTarget.get(pc));
      }
      int next = step(pc);
      instructions.put(pc, next - pc);
      int op = u1(pc);
      fallsThrough = !(op == 167 || op == 200 || (op >= 170 && op <= 177) || op == 191
          || op == 169);
      pc = next;
    }
  }

  private static List<Value> merge(List<Value> a, List<Value> b) {
    if (a.size() != b.size()) {
      return a;
    }
    List<Value> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      out.add(a.get(i).equals(b.get(i)) ? a.get(i) : Value.unknown(a.get(i).wide()));
    }
    return out;
  }

  // ------------------------------------------------------------------ the instructions

  /** Executes the instruction at {@code pc}; returns the next instruction's offset. */
  private int step(int pc) {
    int op = u1(pc);
    switch (op) {
      case 0 -> { }
      case 1 -> push(Value.UNKNOWN);
      case 2, 3, 4, 5, 6, 7, 8 -> push(Value.number(op - 3, false));
      case 9, 10 -> push(Value.number(op - 9, true));
      case 11, 12, 13 -> push(Value.UNKNOWN);
      case 14, 15 -> push(Value.UNKNOWN_WIDE);
      case 16 -> {
        push(Value.number(code[pc + 1], false));
        return pc + 2;
      }
      case 17 -> {
        push(Value.number((short) u2(pc + 1), false));
        return pc + 3;
      }
      case 18 -> {
        ldc(u1(pc + 1));
        return pc + 2;
      }
      case 19, 20 -> {
        ldc(u2(pc + 1));
        return pc + 3;
      }
      case 21, 22, 23, 24, 25 -> {
        load(u1(pc + 1), op == 22 || op == 24);
        return pc + 2;
      }
      case 26, 27, 28, 29 -> load(op - 26, false);
      case 30, 31, 32, 33 -> load(op - 30, true);
      case 34, 35, 36, 37 -> load(op - 34, false);
      case 38, 39, 40, 41 -> load(op - 38, true);
      case 42, 43, 44, 45 -> load(op - 42, false);
      case 46, 48, 50, 51, 52, 53 -> pop2push(2, Value.UNKNOWN);
      case 47, 49 -> pop2push(2, Value.UNKNOWN_WIDE);
      case 54, 55, 56, 57, 58 -> {
        locals.put(u1(pc + 1), pop());
        return pc + 2;
      }
      case 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78 ->
          locals.put((op - 59) % 4, pop());
      case 79, 80, 81, 82, 83, 84, 85, 86 -> pop(3);
      case 87 -> pop();
      case 88 -> {
        if (!pop().wide()) {
          pop();
        }
      }
      case 89 -> push(peek(0));
      case 90 -> {
        Value a = pop();
        Value b = pop();
        push(a);
        push(b);
        push(a);
      }
      case 91 -> {
        Value a = pop();
        Value b = pop();
        Value c = b.wide() ? null : pop();
        push(a);
        if (c != null) {
          push(c);
        }
        push(b);
        push(a);
      }
      case 92 -> {
        Value a = peek(0);
        if (a.wide()) {
          push(a);
        } else {
          Value b = peek(1);
          push(b);
          push(a);
        }
      }
      case 93, 94 -> dupTwoDown(op);
      case 95 -> {
        Value a = pop();
        Value b = pop();
        push(a);
        push(b);
      }
      case 96, 98, 100, 102, 104, 106, 108, 110, 112, 114, 120, 122, 124, 126, 128, 130 ->
          pop2push(2, Value.UNKNOWN);
      case 97, 99, 101, 103, 105, 107, 109, 111, 113, 115, 127, 129, 131 ->
          pop2push(2, Value.UNKNOWN_WIDE);
      case 121, 123, 125 -> pop2push(2, Value.UNKNOWN_WIDE); // long shifts
      case 116, 118 -> pop2push(1, Value.UNKNOWN);
      case 117, 119 -> pop2push(1, Value.UNKNOWN_WIDE);
      case 132 -> {
        return pc + 3;
      }
      case 133, 135, 138, 140, 141, 143 -> pop2push(1, Value.UNKNOWN_WIDE);
      case 134, 136, 137, 139, 142, 144, 145, 146, 147 -> pop2push(1, Value.UNKNOWN);
      case 148, 149, 150, 151, 152 -> pop2push(2, Value.UNKNOWN);
      case 153, 154, 155, 156, 157, 158, 198, 199 -> {
        pop();
        return jump(pc, pc + (short) u2(pc + 1), pc + 3, true);
      }
      case 159, 160, 161, 162, 163, 164, 165, 166 -> {
        pop(2);
        return jump(pc, pc + (short) u2(pc + 1), pc + 3, true);
      }
      case 167 -> {
        return jump(pc, pc + (short) u2(pc + 1), pc + 3, false);
      }
      case 200 -> {
        return jump(pc, pc + readInt(pc + 1), pc + 5, false);
      }
      case 168 -> {
        push(Value.UNKNOWN);
        return pc + 3;
      }
      case 201 -> {
        push(Value.UNKNOWN);
        return pc + 5;
      }
      case 169 -> {
        return pc + 2;
      }
      case 170, 171 -> {
        return switchInsn(pc, op);
      }
      case 172, 173, 174, 175, 176, 191, 194, 195 -> pop();
      case 177 -> { }
      case 178 -> {
        getstatic(cf.ref(u2(pc + 1)));
        return pc + 3;
      }
      case 179 -> {
        pop();
        return pc + 3;
      }
      case 180 -> {
        pop();
        push(Value.unknown(wide(cf.ref(u2(pc + 1)).descriptor())));
        return pc + 3;
      }
      case 181 -> {
        pop(2);
        return pc + 3;
      }
      case 182, 183, 184 -> {
        invoke(pc, cf.ref(u2(pc + 1)), op == 184);
        return pc + 3;
      }
      case 185 -> {
        invoke(pc, cf.ref(u2(pc + 1)), false);
        return pc + 5;
      }
      case 186 -> {
        dynamic(pc, u2(pc + 1));
        return pc + 5;
      }
      case 187 -> {
        push(Value.UNKNOWN);
        return pc + 3;
      }
      case 188 -> {
        pop2push(1, Value.UNKNOWN);
        return pc + 2;
      }
      case 189 -> {
        pop2push(1, Value.UNKNOWN);
        return pc + 3;
      }
      case 190 -> pop2push(1, Value.UNKNOWN);
      case 192 -> {
        return pc + 3;
      }
      case 193 -> {
        pop2push(1, Value.UNKNOWN);
        return pc + 3;
      }
      case 196 -> {
        return wide(pc);
      }
      case 197 -> {
        pop2push(u1(pc + 3), Value.UNKNOWN);
        return pc + 4;
      }
      default -> throw new IllegalStateException("unknown opcode " + op + " at " + pc + " in "
          + m.name());
    }
    return pc + 1;
  }

  private void dupTwoDown(int op) {
    // dup2_x1 / dup2_x2 with the value categories of the JVM specification
    Value a = pop();
    List<Value> top = new ArrayList<>();
    top.add(a);
    if (!a.wide()) {
      top.add(0, pop());
    }
    int under = op == 93 ? 1 : 2;
    List<Value> below = new ArrayList<>();
    while (under > 0) {
      Value v = pop();
      below.add(0, v);
      under -= v.wide() ? 2 : 1;
    }
    stack.addAll(top);
    stack.addAll(below);
    stack.addAll(top);
  }

  private int wide(int pc) {
    int op = u1(pc + 1);
    if (op == 132) {
      return pc + 6;
    }
    int index = u2(pc + 2);
    if (op >= 21 && op <= 25) {
      load(index, op == 22 || op == 24);
    } else if (op >= 54 && op <= 58) {
      locals.put(index, pop());
    }
    return pc + 4;
  }

  private int switchInsn(int pc, int op) {
    pop();
    int p = (pc + 4) & ~3;
    List<Integer> targets = new ArrayList<>();
    targets.add(pc + readInt(p));
    int end;
    if (op == 170) {
      int low = readInt(p + 4);
      int high = readInt(p + 8);
      int n = high - low + 1;
      for (int i = 0; i < n; i++) {
        targets.add(pc + readInt(p + 12 + i * 4));
      }
      end = p + 12 + n * 4;
    } else {
      int n = readInt(p + 4);
      for (int i = 0; i < n; i++) {
        targets.add(pc + readInt(p + 8 + i * 8 + 4));
      }
      end = p + 8 + n * 8;
    }
    int[] t = targets.stream().mapToInt(Integer::intValue).toArray();
    for (int target : t) {
      atTarget.putIfAbsent(target, List.copyOf(stack));
    }
    jumps.add(new Jump(pc, end, false, t));
    return end;
  }

  private int jump(int pc, int target, int next, boolean conditional) {
    atTarget.putIfAbsent(target, List.copyOf(stack));
    jumps.add(new Jump(pc, next, conditional, new int[] {target}));
    return next;
  }

  private void ldc(int index) {
    ClassFile.Const c = cf.constant(index);
    switch (c.tag()) {
      case 8 -> push(Value.string(cf.utf(c.a())));
      case 3 -> push(Value.number((Integer) c.value(), false));
      case 5 -> push(Value.number((Long) c.value(), true));
      case 6 -> push(Value.UNKNOWN_WIDE);
      case 7 -> push(Value.classLiteral(cf.utf(c.a())));
      case 17 -> push(Value.unknown(wide(cf.utf(cf.constant(c.b()).b()))));
      default -> push(Value.UNKNOWN);
    }
  }

  private void load(int index, boolean wide) {
    Value v = locals.get(index);
    push(v == null || v.wide() != wide ? Value.unknown(wide) : v);
  }

  private void getstatic(ClassFile.Ref f) {
    if (f.owner().equals("dev/steadfast/workflow/Backoff")) {
      push(Value.enumConstant(f.name()));
    } else if (f.owner().equals(STEP_CONFIG) && f.name().equals("DEFAULTS")) {
      push(Value.config(Map.of()));
    } else {
      push(Value.unknown(wide(f.descriptor())));
    }
  }

  private void invoke(int pc, ClassFile.Ref r, boolean isStatic) {
    List<String> params = Descriptors.parameters(r.descriptor());
    List<Value> args = new ArrayList<>();
    for (int i = params.size() - 1; i >= 0; i--) {
      args.add(0, pop());
    }
    Value receiver = isStatic ? null : pop();
    if (isStepOwner(r.owner()) || r.owner().equals(cf.name)) {
      calls.add(new Call(pc, m.line(pc), r, List.copyOf(args)));
    }
    String ret = Descriptors.returnType(r.descriptor());
    if (ret.equals("V")) {
      return;
    }
    push(result(r, receiver, args, ret));
  }

  /** The known result of a few library calls that build step configs and durations. */
  private static Value result(ClassFile.Ref r, Value receiver, List<Value> args, String ret) {
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
    return Value.unknown(wide(ret));
  }

  private void dynamic(int pc, int index) {
    Map.Entry<Integer, ClassFile.Ref> site = cf.dynamic(index);
    ClassFile.Bootstrap bsm = cf.bootstraps.get(site.getKey());
    String desc = site.getValue().descriptor();
    List<Value> args = new ArrayList<>();
    for (int i = Descriptors.parameters(desc).size() - 1; i >= 0; i--) {
      args.add(0, pop());
    }
    String owner = bsm.method().owner();
    if (owner.equals("java/lang/invoke/LambdaMetafactory") && bsm.args().length >= 2) {
      ClassFile.Ref target = cf.handle(bsm.args()[1]);
      lambdas.add(new Lambda(pc, target));
      push(Value.lambda(target));
    } else if (owner.equals("java/lang/invoke/StringConcatFactory")
        && bsm.method().name().equals("makeConcatWithConstants") && bsm.args().length >= 1) {
      push(concat(cf.utf(cf.constant(bsm.args()[0]).a()), args));
    } else {
      push(Value.unknown(wide(Descriptors.returnType(desc))));
    }
  }

  /** A string concatenation: known parts kept, each unknown part shown as {@code *}. */
  private static Value concat(String recipe, List<Value> args) {
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

  // ------------------------------------------------------------------ the stack

  private void push(Value v) {
    stack.add(v);
  }

  private Value pop() {
    // an empty stack means the walk lost track (dead code after a jump): keep going with unknowns
    return stack.isEmpty() ? Value.UNKNOWN : stack.remove(stack.size() - 1);
  }

  private void pop(int n) {
    for (int i = 0; i < n; i++) {
      pop();
    }
  }

  private void pop2push(int n, Value v) {
    pop(n);
    push(v);
  }

  private Value peek(int depth) {
    int i = stack.size() - 1 - depth;
    return i < 0 ? Value.UNKNOWN : stack.get(i);
  }

  private static boolean wide(String descriptor) {
    return descriptor.equals("J") || descriptor.equals("D");
  }

  private int u1(int at) {
    return code[at] & 0xFF;
  }

  private int u2(int at) {
    return ((code[at] & 0xFF) << 8) | (code[at + 1] & 0xFF);
  }

  private int readInt(int at) {
    return (u2(at) << 16) | u2(at + 2);
  }
}
