package dev.steadfast.workflow.engine.graph;

import jakarta.json.JsonObjectBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * A span of bytecode addresses [start, end) that the diagram may show as a container (a loop, a
 * branch, a try block), or a leaf (a step call) at one address. Regions nest; a region without a
 * leaf inside is not drawn.
 */
final class Region {
  enum Kind { ROOT, LOOP, IF, THEN, ELSE, TRY, TRY_BLOCK, CATCH, FINALLY, LEAF }

  final Kind kind;
  final int start;
  final int end;
  final List<Region> kids = new ArrayList<>();
  /** A leaf's node (built), or a catch block's exception class. */
  final JsonObjectBuilder node;
  final String label;

  Region(Kind kind, int start, int end, String label) {
    this.kind = kind;
    this.start = start;
    this.end = end;
    this.node = null;
    this.label = label;
  }

  Region(int at, JsonObjectBuilder node) {
    this.kind = Kind.LEAF;
    this.start = at;
    this.end = at + 1;
    this.node = node;
    this.label = null;
  }

  boolean contains(Region r) {
    return start <= r.start && r.end <= end;
  }

  boolean overlaps(Region r) {
    return start < r.end && r.start < end;
  }

  /** Inserts {@code r} at the deepest region containing it; false if it crosses a sibling. */
  boolean insert(Region r) {
    for (Region k : kids) {
      if (k.kind != Kind.LEAF && k.contains(r)) {
        return k.insert(r);
      }
    }
    for (Region k : kids) {
      if (k.overlaps(r) && !r.contains(k)) {
        return false;
      }
    }
    // regions come in address order, outer first: what r contains is already among the kids
    List<Region> inside = new ArrayList<>();
    for (Region k : kids) {
      if (r.contains(k)) {
        inside.add(k);
      }
    }
    kids.removeAll(inside);
    r.kids.addAll(inside);
    kids.add(r);
    kids.sort((a, b) -> a.start != b.start ? Integer.compare(a.start, b.start)
        : Integer.compare(b.end, a.end));
    return true;
  }

  /** True if a leaf is somewhere inside. */
  boolean hasLeaf() {
    if (kind == Kind.LEAF) {
      return true;
    }
    for (Region k : kids) {
      if (k.hasLeaf()) {
        return true;
      }
    }
    return false;
  }
}
