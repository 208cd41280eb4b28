/**
 * Metrics in the Prometheus text format, written by hand rather than with a metrics library: a
 * few counters and histograms kept in memory, gauges read from the database when scraped (so
 * what the tables know stays right across restarts), and no dependency on a server's metrics
 * subsystem, so the same numbers come out of Payara, WildFly and plain tests.
 */
package dev.steadfast.workflow.engine.metrics;
