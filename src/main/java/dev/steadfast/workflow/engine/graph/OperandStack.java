package dev.steadfast.workflow.engine.graph;

import java.util.ArrayList;
import java.util.List;

/** The interpreter's operand stack: what is known of each slot, from the bottom up. */
final class OperandStack {
  private final List<Value> values = new ArrayList<>();

  void push(Value v) {
    values.add(v);
  }

  Value pop() {
    // an empty stack means the walk lost track (dead code after a jump): keep going with unknowns
    return values.isEmpty() ? Value.UNKNOWN : values.remove(values.size() - 1);
  }

  void pop(int n) {
    for (int i = 0; i < n; i++) {
      pop();
    }
  }

  void pop2push(int n, Value v) {
    pop(n);
    push(v);
  }

  Value peek(int depth) {
    int i = values.size() - 1 - depth;
    return i < 0 ? Value.UNKNOWN : values.get(i);
  }

  List<Value> snapshot() {
    return List.copyOf(values);
  }

  void replace(List<Value> with) {
    values.clear();
    values.addAll(with);
  }

  /** Where a jump and the code before meet: slots that differ are no longer known. */
  void merge(List<Value> other) {
    if (values.size() != other.size()) {
      return;
    }
    for (int i = 0; i < values.size(); i++) {
      if (!values.get(i).equals(other.get(i))) {
        values.set(i, Value.unknown(values.get(i).wide()));
      }
    }
  }
}
