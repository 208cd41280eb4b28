package dev.steadfast.workflow.engine.metrics;

/** Something that writes metric families when a scrape asks for them. */
@FunctionalInterface
public interface Collector {
  void collect(PrometheusText out);
}
