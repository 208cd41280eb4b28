package dev.steadfast.workflow.engine.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram with fixed upper bounds per label set: cumulative {@code _bucket} counts, a
 * {@code _sum} and a {@code _count}, as Prometheus' {@code histogram_quantile} expects.
 */
public final class Histogram implements Collector {
  /** Seconds, from 1 ms to 5 minutes: step runs, lateness, commits. */
  public static final double[] SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
      0.5, 1, 2.5, 5, 10, 30, 60, 300};

  private final String name;
  private final String help;
  private final double[] bounds;
  private final List<String> labelNames;
  private final Map<List<String>, Cells> cells = new ConcurrentHashMap<>();

  public Histogram(String name, String help, double[] bounds, String... labelNames) {
    this.name = name;
    this.help = help;
    this.bounds = bounds.clone();
    this.labelNames = List.of(labelNames);
  }

  public void observe(double value, String... labels) {
    Cells c = cells.computeIfAbsent(Counter.key(labelNames, labels), k -> new Cells(bounds.length));
    for (int i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        c.buckets[i].increment();
        break;
      }
    }
    c.sum.add(value);
    c.count.increment();
  }

  /** Observations of one label set so far. */
  public long count(String... labels) {
    Cells c = cells.get(Counter.key(labelNames, labels));
    return c == null ? 0 : c.count.sum();
  }

  /** The sum of the observations of one label set. */
  public double sum(String... labels) {
    Cells c = cells.get(Counter.key(labelNames, labels));
    return c == null ? 0 : c.sum.sum();
  }

  @Override
  public void collect(PrometheusText out) {
    out.family(name, "histogram", help);
    cells.forEach((k, c) -> {
      long cumulative = 0;
      for (int i = 0; i < bounds.length; i++) {
        cumulative += c.buckets[i].sum();
        out.sample(name + "_bucket", labelNames, k, "le", PrometheusText.number(bounds[i]),
            cumulative);
      }
      long count = c.count.sum();
      out.sample(name + "_bucket", labelNames, k, "le", "+Inf", count);
      out.sample(name + "_sum", labelNames, k, c.sum.sum());
      out.sample(name + "_count", labelNames, k, count);
    });
  }

  private static final class Cells {
    final LongAdder[] buckets;
    final DoubleAdder sum = new DoubleAdder();
    final LongAdder count = new LongAdder();

    Cells(int n) {
      buckets = new LongAdder[n];
      for (int i = 0; i < n; i++) {
        buckets[i] = new LongAdder();
      }
    }
  }
}
