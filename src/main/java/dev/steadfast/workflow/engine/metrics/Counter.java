package dev.steadfast.workflow.engine.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A monotonic counter per label set, kept since this server started (Prometheus reads a drop to
 * zero as a restart). Label values must come from a small set (workflow and agent names), never
 * from instance ids or step names a workflow builds at run time.
 */
public final class Counter implements Collector {
  private final String name;
  private final String help;
  private final List<String> labelNames;
  private final Map<List<String>, LongAdder> cells = new ConcurrentHashMap<>();

  public Counter(String name, String help, String... labelNames) {
    this.name = name;
    this.help = help;
    this.labelNames = List.of(labelNames);
  }

  public void inc(String... labels) {
    add(1, labels);
  }

  public void add(long n, String... labels) {
    cells.computeIfAbsent(key(labelNames, labels), k -> new LongAdder()).add(n);
  }

  /** The count of one label set (0 if never counted). */
  public long value(String... labels) {
    LongAdder a = cells.get(key(labelNames, labels));
    return a == null ? 0 : a.sum();
  }

  @Override
  public void collect(PrometheusText out) {
    out.family(name, "counter", help);
    cells.forEach((k, v) -> out.sample(name, labelNames, k, v.sum()));
  }

  static List<String> key(List<String> names, String... labels) {
    if (labels.length != names.size()) {
      throw new IllegalArgumentException("expected labels " + names + ", got " + labels.length);
    }
    String[] copy = new String[labels.length];
    for (int i = 0; i < labels.length; i++) {
      copy[i] = labels[i] == null ? "" : labels[i];
    }
    return List.of(copy);
  }
}
