package dev.steadfast.workflow.engine.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A scrape parsed as a scraper reads it: every sample line by its series, each line checked. */
public final class Scrape {
  private static final Pattern SAMPLE = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*})?"
          + " (-?[0-9.eE+-]+|NaN|[+-]Inf)");
  private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

  private final Map<String, Double> series = new LinkedHashMap<>();

  public Scrape(String text) {
    for (String line : text.split("\n")) {
      if (line.startsWith("#")) {
        assertTrue(COMMENT.matcher(line).matches(), "bad comment line: " + line);
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "not a Prometheus sample line: " + line);
      String v = m.group(3);
      double d = v.equals("+Inf") ? Double.POSITIVE_INFINITY
          : v.equals("-Inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(v);
      String key = m.group(1) + (m.group(2) == null ? "" : m.group(2));
      assertTrue(series.put(key, d) == null, "series written twice: " + key);
    }
  }

  /** The value of a series written as in the text ({@code name{a="x",b="y"}}), or null. */
  public Double get(String seriesKey) {
    return series.get(seriesKey);
  }

  /** The value of a series, which must be present. */
  public double value(String seriesKey) {
    Double v = series.get(seriesKey);
    if (v == null) {
      throw new AssertionError("no series " + seriesKey + " in " + series.keySet());
    }
    return v;
  }

  public Map<String, Double> all() {
    return series;
  }
}
