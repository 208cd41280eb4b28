package dev.steadfast.workflow.engine.graph;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.spi.JsonProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the traces of a workflow's methods into the nested nodes of the diagram: step calls are
 * the leaves; backward jumps make loops, forward conditional jumps make branches, exception
 * table entries make try blocks; lambdas handed to {@code step.all} make a parallel group; a call
 * of another method of the class that runs steps is a function call with its own definition.
 */
final class GraphBuilder {
  static final JsonProvider JSON = JsonProvider.provider();
  private static final String ANY = null;

  private final ClassFile cf;
  /** Function definitions by method name (methods of the class that run steps). */
  final Map<String, JsonObjectBuilder> functions = new LinkedHashMap<>();
  private final Map<String, Boolean> runsSteps = new HashMap<>();
  private final Set<String> visiting = new HashSet<>();

  GraphBuilder(ClassFile cf) {
    this.cf = cf;
  }

  /** The nodes of one method's body. */
  JsonArrayBuilder nodes(ClassFile.Method m) {
    visiting.add(m.name() + m.descriptor());
    try {
      Interpreter.Trace t = Interpreter.trace(cf, m);
      Region root = new Region(Region.Kind.ROOT, 0, m.code().length, null);
      for (Region r : regions(t)) {
        root.insert(r);
      }
      for (Region leaf : leaves(t)) {
        root.insert(leaf);
      }
      return children(root);
    } finally {
      visiting.remove(m.name() + m.descriptor());
    }
  }

  // ------------------------------------------------------------------ leaves

  private List<Region> leaves(Interpreter.Trace t) {
    Set<ClassFile.Ref> consumed = new HashSet<>();
    for (Interpreter.Call c : t.calls()) {
      if (Interpreter.isStepOwner(c.method().owner()) && !c.method().name().equals("all")) {
        for (Value v : c.args()) {
          if (v.kind() == Value.Kind.LAMBDA) {
            consumed.add(v.lambda()); // a step's own code: it runs no steps
          }
        }
      }
    }
    List<Region> out = new ArrayList<>();
    int lastAll = -1;
    for (Interpreter.Call c : t.calls()) {
      JsonObjectBuilder node;
      if (!Interpreter.isStepOwner(c.method().owner())) {
        node = functionCall(c);
      } else if (c.method().name().equals("all")) {
        node = parallel(t, lastAll, c.offset(), consumed);
        lastAll = c.offset();
      } else {
        node = StepNodes.of(c);
      }
      if (node != null) {
        out.add(new Region(c.offset(), node.add("line", c.line())));
      }
    }
    return out;
  }

  /** {@code step.all(branches)}: the steps of the lambdas made since the previous one. */
  private JsonObjectBuilder parallel(Interpreter.Trace t, int after, int at,
      Set<ClassFile.Ref> consumed) {
    JsonArrayBuilder branches = JSON.createArrayBuilder();
    for (Interpreter.Lambda l : t.lambdas()) {
      if (l.offset() <= after || l.offset() >= at || consumed.contains(l.target())
          || !l.target().owner().equals(cf.name)) {
        continue;
      }
      ClassFile.Method body = cf.method(l.target().name(), l.target().descriptor());
      if (body == null || body.code() == null || visiting.contains(body.name() + body.descriptor())) {
        continue;
      }
      jakarta.json.JsonArray nodes = nodes(body).build();
      if (nodes.size() == 1) {
        branches.add(nodes.get(0));
      } else if (!nodes.isEmpty()) {
        branches.add(JSON.createObjectBuilder().add("type", "block").add("nodes", nodes));
      }
    }
    return JSON.createObjectBuilder().add("type", "parallel").add("kind", "all")
        .add("nodes", branches);
  }

  /** A call of another method of the workflow class: drawn if it runs steps. */
  private JsonObjectBuilder functionCall(Interpreter.Call c) {
    ClassFile.Method callee = cf.method(c.method().name(), c.method().descriptor());
    if (callee == null || callee.code() == null || (callee.access() & ClassFile.ACC_SYNTHETIC) != 0) {
      return null;
    }
    String key = callee.name() + callee.descriptor();
    if (visiting.contains(key)) {
      // recursion: a call of a function being drawn is drawn if it is known to run steps
      return Boolean.TRUE.equals(runsSteps.get(key)) || functions.containsKey(callee.name())
          ? JSON.createObjectBuilder().add("type", "function_call").add("name", callee.name())
          : null;
    }
    if (!runsSteps.containsKey(key)) {
      jakarta.json.JsonArray body = nodes(callee).build();
      runsSteps.put(key, !body.isEmpty());
      if (!body.isEmpty()) {
        functions.put(callee.name(), JSON.createObjectBuilder().add("type", "function_def")
            .add("name", callee.name()).add("nodes", body));
      }
    }
    return runsSteps.get(key)
        ? JSON.createObjectBuilder().add("type", "function_call").add("name", callee.name())
        : null;
  }

  // ------------------------------------------------------------------ regions

  /** Loops, branches and try blocks, outer ones first. */
  private List<Region> regions(Interpreter.Trace t) {
    TreeMap<Integer, Integer> insns = t.instructions();
    int length = t.method().code().length;
    List<Region> out = new ArrayList<>();
    // loops: a backward jump closes one; continue statements jump back to the same header
    Map<Integer, Integer> loopEnd = new TreeMap<>();
    for (Interpreter.Jump j : t.jumps()) {
      for (int target : j.targets()) {
        if (target <= j.offset()) {
          loopEnd.merge(target, j.end(), Math::max);
        }
      }
    }
    loopEnd.forEach((head, end) -> out.add(new Region(Region.Kind.LOOP, head, end, null)));
    // branches: the first conditional jump to each target (a && b jumps twice to one place)
    Map<Integer, Interpreter.Jump> byTarget = new TreeMap<>();
    for (Interpreter.Jump j : t.jumps()) {
      if (j.conditional() && j.targets()[0] > j.offset()) {
        byTarget.putIfAbsent(j.targets()[0], j);
      }
    }
    for (Map.Entry<Integer, Interpreter.Jump> e : byTarget.entrySet()) {
      int target = e.getKey();
      Interpreter.Jump j = e.getValue();
      if (isLoopExit(loopEnd, j.offset(), target)) {
        continue; // the test of a loop, not a branch
      }
      int end = target;
      Integer last = insns.lowerKey(target);
      Interpreter.Jump skip = last == null ? null : jumpAt(t, last);
      boolean hasElse = skip != null && !skip.conditional() && skip.targets().length == 1
          && skip.targets()[0] > target && !isLoopEnd(loopEnd, skip.targets()[0]);
      if (hasElse) {
        end = skip.targets()[0];
      }
      out.add(new Region(Region.Kind.IF, j.offset(), end, null));
      out.add(new Region(Region.Kind.THEN, j.end(), target, null));
      if (hasElse) {
        out.add(new Region(Region.Kind.ELSE, target, end, null));
      }
    }
    out.addAll(tries(t, insns, length, loopEnd));
    out.sort((a, b) -> a.start != b.start ? Integer.compare(a.start, b.start)
        : a.end != b.end ? Integer.compare(b.end, a.end) : a.kind.compareTo(b.kind));
    return out;
  }

  private static boolean isLoopExit(Map<Integer, Integer> loops, int at, int target) {
    for (Map.Entry<Integer, Integer> l : loops.entrySet()) {
      if (l.getKey() <= at && at < l.getValue() && target == l.getValue()) {
        return true;
      }
    }
    return false;
  }

  private static boolean isLoopEnd(Map<Integer, Integer> loops, int offset) {
    return loops.containsValue(offset);
  }

  private static Interpreter.Jump jumpAt(Interpreter.Trace t, int offset) {
    for (Interpreter.Jump j : t.jumps()) {
      if (j.offset() == offset) {
        return j;
      }
    }
    return null;
  }

  private List<Region> tries(Interpreter.Trace t, TreeMap<Integer, Integer> insns, int length,
      Map<Integer, Integer> loops) {
    // one range per handler (a return inside a try splits its range); handlers of one range
    // are the catch clauses of one try
    Map<Integer, int[]> rangeOf = new TreeMap<>();
    Map<Integer, String> typeOf = new HashMap<>();
    for (ClassFile.Handler h : t.method().handlers()) {
      if (h.start() >= h.handler() && h.start() <= h.handler() + 4) {
        continue; // javac's entry for a finally handler's own first instructions
      }
      rangeOf.merge(h.handler(), new int[] {h.start(), h.end()},
          (a, b) -> new int[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
      typeOf.putIfAbsent(h.handler(), h.catchType());
    }
    Map<String, List<Integer>> byRange = new LinkedHashMap<>();
    rangeOf.forEach((handler, r) -> byRange.computeIfAbsent(r[0] + ":" + r[1],
        k -> new ArrayList<>()).add(handler));
    List<Region> out = new ArrayList<>();
    for (List<Integer> handlers : byRange.values()) {
      int[] range = rangeOf.get(handlers.get(0));
      if (handlers.stream().allMatch(h -> typeOf.get(h) == ANY)
          && insideAnotherHandler(rangeOf, range[0])) {
        continue; // javac's finally over a catch clause: drawn with that try already
      }
      int after = afterTry(t, insns, handlers.get(0), handlers.get(handlers.size() - 1), length,
          loops, range[0]);
      out.add(new Region(Region.Kind.TRY, range[0], Math.max(range[1], after), null));
      out.add(new Region(Region.Kind.TRY_BLOCK, range[0], range[1], null));
      for (int i = 0; i < handlers.size(); i++) {
        int h = handlers.get(i);
        int end = i + 1 < handlers.size() ? handlers.get(i + 1) : after;
        String type = typeOf.get(h);
        if (type == ANY) {
          Integer thrown = firstAthrow(t, h, end);
          out.add(new Region(Region.Kind.FINALLY, h, thrown == null ? end : thrown, null));
        } else {
          out.add(new Region(Region.Kind.CATCH, h, end, type.replace('/', '.')));
        }
      }
    }
    return out;
  }

  /** True if a range starts just after another handler's first instruction (its astore). */
  private static boolean insideAnotherHandler(Map<Integer, int[]> ranges, int start) {
    for (int handler : ranges.keySet()) {
      if (handler <= start && start <= handler + 4) {
        return true;
      }
    }
    return false;
  }

  private static Integer firstAthrow(Interpreter.Trace t, int from, int to) {
    byte[] code = t.method().code();
    for (Map.Entry<Integer, Integer> e : t.instructions().tailMap(from).entrySet()) {
      if (e.getKey() >= to) {
        break;
      }
      if ((code[e.getKey()] & 0xFF) == 191) {
        return e.getKey() + 1;
      }
    }
    return null;
  }

  /**
   * Where the code after a try statement starts: the target of the jump over the handlers just
   * before the first one (after the try block and, with a finally, its inlined copy), else the
   * end of the enclosing loop or of the method (a try block and its catches that all return have
   * no code after them).
   */
  private static int afterTry(Interpreter.Trace t, TreeMap<Integer, Integer> insns,
      int firstHandler, int lastHandler, int length, Map<Integer, Integer> loops, int start) {
    Integer at = insns.lowerKey(firstHandler);
    Interpreter.Jump j = at == null ? null : jumpAt(t, at);
    if (j != null && !j.conditional() && j.targets().length == 1
        && j.targets()[0] > lastHandler) {
      return j.targets()[0];
    }
    int best = length;
    for (Map.Entry<Integer, Integer> l : loops.entrySet()) {
      if (l.getKey() <= start && lastHandler < l.getValue() && l.getValue() < best) {
        best = l.getValue();
      }
    }
    return best;
  }

  // ------------------------------------------------------------------ JSON

  private JsonArrayBuilder children(Region r) {
    JsonArrayBuilder out = JSON.createArrayBuilder();
    for (Region k : r.kids) {
      if (!k.hasLeaf()) {
        continue;
      }
      switch (k.kind) {
        case LEAF -> out.add(k.node);
        case LOOP -> out.add(JSON.createObjectBuilder().add("type", "loop")
            .add("nodes", children(k)));
        case IF -> out.add(ifNode(k));
        case TRY -> out.add(tryNode(k));
        // a part found outside its wrapper (it crossed another region): drawn as a block
        default -> out.add(JSON.createObjectBuilder().add("type", "block")
            .add("nodes", children(k)));
      }
    }
    return out;
  }

  private JsonObjectBuilder ifNode(Region r) {
    JsonArrayBuilder branches = JSON.createArrayBuilder();
    for (Region k : r.kids) {
      if (k.kind == Region.Kind.THEN) {
        branches.add(JSON.createObjectBuilder().add("condition", "if")
            .add("nodes", children(k)));
      } else if (k.kind == Region.Kind.ELSE) {
        branches.add(JSON.createObjectBuilder().add("condition", "else")
            .add("nodes", children(k)));
      }
    }
    return JSON.createObjectBuilder().add("type", "if").add("branches", branches);
  }

  private JsonObjectBuilder tryNode(Region r) {
    JsonArrayBuilder tryNodes = JSON.createArrayBuilder();
    JsonArrayBuilder catches = JSON.createArrayBuilder();
    JsonObjectBuilder finallyBlock = null;
    int catchCount = 0;
    // leaves right in the try statement, outside its blocks, are javac's copy of the finally
    // block on the normal path: drawn once, as the finally block
    for (Region k : r.kids) {
      switch (k.kind) {
        case TRY_BLOCK -> tryNodes = children(k);
        case CATCH -> {
          catches.add(JSON.createObjectBuilder().add("type", "block")
              .add("catch_type", k.label).add("nodes", children(k)));
          catchCount++;
        }
        case FINALLY -> finallyBlock = JSON.createObjectBuilder().add("type", "block")
            .add("nodes", children(k));
        default -> { }
      }
    }
    JsonObjectBuilder b = JSON.createObjectBuilder().add("type", "try")
        .add("try_block", JSON.createObjectBuilder().add("type", "block").add("nodes", tryNodes));
    jakarta.json.JsonArray all = catches.build();
    if (catchCount == 1) {
      b.add("catch_block", all.get(0));
    } else if (catchCount > 1) {
      b.add("catch_block", JSON.createObjectBuilder().add("type", "block").add("nodes", all));
    }
    if (finallyBlock != null) {
      b.add("finally_block", finallyBlock);
    }
    return b;
  }
}
