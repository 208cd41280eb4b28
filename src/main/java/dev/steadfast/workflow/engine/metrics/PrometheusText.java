package dev.steadfast.workflow.engine.metrics;

import java.util.List;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): a {@code # HELP} and a
 * {@code # TYPE} line per family, then one line per sample.
 */
public final class PrometheusText {
  /** The content type scrapers expect for this format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final StringBuilder out = new StringBuilder(4096);

  /** Starts a family; {@code type} is counter, gauge or histogram. */
  public PrometheusText family(String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    return this;
  }

  public PrometheusText sample(String name, List<String> labelNames, List<String> labelValues,
      double value) {
    return sample(name, labelNames, labelValues, null, null, value);
  }

  /** A sample with an extra label after the family's own (a histogram's {@code le}). */
  public PrometheusText sample(String name, List<String> labelNames, List<String> labelValues,
      String extraName, String extraValue, double value) {
    out.append(name);
    if (!labelNames.isEmpty() || extraName != null) {
      out.append('{');
      String sep = "";
      for (int i = 0; i < labelNames.size(); i++) {
        out.append(sep).append(labelNames.get(i)).append("=\"")
            .append(escapeLabel(labelValues.get(i))).append('"');
        sep = ",";
      }
      if (extraName != null) {
        out.append(sep).append(extraName).append("=\"").append(extraValue).append('"');
      }
      out.append('}');
    }
    out.append(' ').append(number(value)).append('\n');
    return this;
  }

  /** A number as Prometheus reads it: integers without a fraction, infinities by name. */
  public static String number(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  static String escapeLabel(String v) {
    if (v == null) {
      return "";
    }
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String escapeHelp(String v) {
    return v.replace("\\", "\\\\").replace("\n", "\\n");
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
