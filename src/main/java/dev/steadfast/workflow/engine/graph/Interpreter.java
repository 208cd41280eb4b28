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

  private final ClassFile cf;
  private final ClassFile.Method m;
  private final byte[] code;
  private final OperandStack stack = new OperandStack();
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
        stack.replace(List.of(Value.UNKNOWN)); // the caught exception
      } else if (!fallsThrough) {
        stack.replace(atTarget.getOrDefault(pc, List.of()));
      } else if (atTarget.containsKey(pc)) {
        stack.merge(atTarget.get(pc));
      }
      int next = step(pc);
      instructions.put(pc, next - pc);
      int op = u1(pc);
      fallsThrough = !(op == 167 || op == 200 || (op >= 170 && op <= 177) || op == 191
          || op == 169);
      pc = next;
    }
  }

  // ------------------------------------------------------------------ the instructions

  /** Executes the instruction at {@code pc}; returns the next instruction's offset. */
  private int step(int pc) {
    int op = u1(pc);
    switch (op) {
      case 0 -> { }
      case 1 -> stack.push(Value.UNKNOWN);
      case 2, 3, 4, 5, 6, 7, 8 -> stack.push(Value.number(op - 3, false));
      case 9, 10 -> stack.push(Value.number(op - 9, true));
      case 11, 12, 13 -> stack.push(Value.UNKNOWN);
      case 14, 15 -> stack.push(Value.UNKNOWN_WIDE);
      case 16 -> {
        stack.push(Value.number(code[pc + 1], false));
        return pc + 2;
      }
      case 17 -> {
        stack.push(Value.number((short) u2(pc + 1), false));
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
      case 46, 48, 50, 51, 52, 53 -> stack.pop2push(2, Value.UNKNOWN);
      case 47, 49 -> stack.pop2push(2, Value.UNKNOWN_WIDE);
      case 54, 55, 56, 57, 58 -> {
        locals.put(u1(pc + 1), stack.pop());
        return pc + 2;
      }
      case 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78 ->
          locals.put((op - 59) % 4, stack.pop());
      case 79, 80, 81, 82, 83, 84, 85, 86 -> stack.pop(3);
      case 87 -> stack.pop();
      case 88 -> {
        if (!stack.pop().wide()) {
          stack.pop();
        }
      }
      case 89 -> stack.push(stack.peek(0));
      case 90 -> {
        Value a = stack.pop();
        Value b = stack.pop();
        stack.push(a);
        stack.push(b);
        stack.push(a);
      }
      case 91 -> {
        Value a = stack.pop();
        Value b = stack.pop();
        Value c = b.wide() ? null : stack.pop();
        stack.push(a);
        if (c != null) {
          stack.push(c);
        }
        stack.push(b);
        stack.push(a);
      }
      case 92 -> {
        Value a = stack.peek(0);
        if (a.wide()) {
          stack.push(a);
        } else {
          Value b = stack.peek(1);
          stack.push(b);
          stack.push(a);
        }
      }
      case 93, 94 -> dupTwoDown(op);
      case 95 -> {
        Value a = stack.pop();
        Value b = stack.pop();
        stack.push(a);
        stack.push(b);
      }
      case 96, 98, 100, 102, 104, 106, 108, 110, 112, 114, 120, 122, 124, 126, 128, 130 ->
          stack.pop2push(2, Value.UNKNOWN);
      case 97, 99, 101, 103, 105, 107, 109, 111, 113, 115, 127, 129, 131 ->
          stack.pop2push(2, Value.UNKNOWN_WIDE);
      case 121, 123, 125 -> stack.pop2push(2, Value.UNKNOWN_WIDE); // long shifts
      case 116, 118 -> stack.pop2push(1, Value.UNKNOWN);
      case 117, 119 -> stack.pop2push(1, Value.UNKNOWN_WIDE);
      case 132 -> {
        return pc + 3;
      }
      case 133, 135, 138, 140, 141, 143 -> stack.pop2push(1, Value.UNKNOWN_WIDE);
      case 134, 136, 137, 139, 142, 144, 145, 146, 147 -> stack.pop2push(1, Value.UNKNOWN);
      case 148, 149, 150, 151, 152 -> stack.pop2push(2, Value.UNKNOWN);
      case 153, 154, 155, 156, 157, 158, 198, 199 -> {
        stack.pop();
        return jump(pc, pc + (short) u2(pc + 1), pc + 3, true);
      }
      case 159, 160, 161, 162, 163, 164, 165, 166 -> {
        stack.pop(2);
        return jump(pc, pc + (short) u2(pc + 1), pc + 3, true);
      }
      case 167 -> {
        return jump(pc, pc + (short) u2(pc + 1), pc + 3, false);
      }
      case 200 -> {
        return jump(pc, pc + readInt(pc + 1), pc + 5, false);
      }
      case 168 -> {
        stack.push(Value.UNKNOWN);
        return pc + 3;
      }
      case 201 -> {
        stack.push(Value.UNKNOWN);
        return pc + 5;
      }
      case 169 -> {
        return pc + 2;
      }
      case 170, 171 -> {
        return switchInsn(pc, op);
      }
      case 172, 173, 174, 175, 176, 191, 194, 195 -> stack.pop();
      case 177 -> { }
      case 178 -> {
        getstatic(cf.ref(u2(pc + 1)));
        return pc + 3;
      }
      case 179 -> {
        stack.pop();
        return pc + 3;
      }
      case 180 -> {
        stack.pop();
        stack.push(Value.unknown(wide(cf.ref(u2(pc + 1)).descriptor())));
        return pc + 3;
      }
      case 181 -> {
        stack.pop(2);
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
        stack.push(Value.UNKNOWN);
        return pc + 3;
      }
      case 188 -> {
        stack.pop2push(1, Value.UNKNOWN);
        return pc + 2;
      }
      case 189 -> {
        stack.pop2push(1, Value.UNKNOWN);
        return pc + 3;
      }
      case 190 -> stack.pop2push(1, Value.UNKNOWN);
      case 192 -> {
        return pc + 3;
      }
      case 193 -> {
        stack.pop2push(1, Value.UNKNOWN);
        return pc + 3;
      }
      case 196 -> {
        return wide(pc);
      }
      case 197 -> {
        stack.pop2push(u1(pc + 3), Value.UNKNOWN);
        return pc + 4;
      }
      default -> throw new IllegalStateException("unknown opcode " + op + " at " + pc + " in "
          + m.name());
    }
    return pc + 1;
  }

  private void dupTwoDown(int op) {
    // dup2_x1 / dup2_x2 with the value categories of the JVM specification
    Value a = stack.pop();
    List<Value> top = new ArrayList<>();
    top.add(a);
    if (!a.wide()) {
      top.add(0, stack.pop());
    }
    int under = op == 93 ? 1 : 2;
    List<Value> below = new ArrayList<>();
    while (under > 0) {
      Value v = stack.pop();
      below.add(0, v);
      under -= v.wide() ? 2 : 1;
    }
    top.forEach(stack::push);
    below.forEach(stack::push);
    top.forEach(stack::push);
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
      locals.put(index, stack.pop());
    }
    return pc + 4;
  }

  private int switchInsn(int pc, int op) {
    stack.pop();
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
      atTarget.putIfAbsent(target, stack.snapshot());
    }
    jumps.add(new Jump(pc, end, false, t));
    return end;
  }

  private int jump(int pc, int target, int next, boolean conditional) {
    atTarget.putIfAbsent(target, stack.snapshot());
    jumps.add(new Jump(pc, next, conditional, new int[] {target}));
    return next;
  }

  private void ldc(int index) {
    ClassFile.Const c = cf.constant(index);
    switch (c.tag()) {
      case 8 -> stack.push(Value.string(cf.utf(c.a())));
      case 3 -> stack.push(Value.number((Integer) c.value(), false));
      case 5 -> stack.push(Value.number((Long) c.value(), true));
      case 6 -> stack.push(Value.UNKNOWN_WIDE);
      case 7 -> stack.push(Value.classLiteral(cf.utf(c.a())));
      case 17 -> stack.push(Value.unknown(wide(cf.utf(cf.constant(c.b()).b()))));
      default -> stack.push(Value.UNKNOWN);
    }
  }

  private void load(int index, boolean wide) {
    Value v = locals.get(index);
    stack.push(v == null || v.wide() != wide ? Value.unknown(wide) : v);
  }

  private void getstatic(ClassFile.Ref f) {
    stack.push(KnownValues.field(f));
  }

  private void invoke(int pc, ClassFile.Ref r, boolean isStatic) {
    List<String> params = Descriptors.parameters(r.descriptor());
    List<Value> args = new ArrayList<>();
    for (int i = params.size() - 1; i >= 0; i--) {
      args.add(0, stack.pop());
    }
    Value receiver = isStatic ? null : stack.pop();
    if (isStepOwner(r.owner()) || r.owner().equals(cf.name)) {
      calls.add(new Call(pc, m.line(pc), r, List.copyOf(args)));
    }
    String ret = Descriptors.returnType(r.descriptor());
    if (ret.equals("V")) {
      return;
    }
    stack.push(KnownValues.result(r, receiver, args, ret));
  }

  private void dynamic(int pc, int index) {
    Map.Entry<Integer, ClassFile.Ref> site = cf.dynamic(index);
    ClassFile.Bootstrap bsm = cf.bootstraps.get(site.getKey());
    String desc = site.getValue().descriptor();
    List<Value> args = new ArrayList<>();
    for (int i = Descriptors.parameters(desc).size() - 1; i >= 0; i--) {
      args.add(0, stack.pop());
    }
    String owner = bsm.method().owner();
    if (owner.equals("java/lang/invoke/LambdaMetafactory") && bsm.args().length >= 2) {
      ClassFile.Ref target = cf.handle(bsm.args()[1]);
      lambdas.add(new Lambda(pc, target));
      stack.push(Value.lambda(target));
    } else if (owner.equals("java/lang/invoke/StringConcatFactory")
        && bsm.method().name().equals("makeConcatWithConstants") && bsm.args().length >= 1) {
      stack.push(KnownValues.concat(cf.utf(cf.constant(bsm.args()[0]).a()), args));
    } else {
      stack.push(Value.unknown(wide(Descriptors.returnType(desc))));
    }
  }

  static boolean wide(String descriptor) {
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
