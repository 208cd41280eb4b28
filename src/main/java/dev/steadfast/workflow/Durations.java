package dev.steadfast.workflow;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the human durations workflows use: {@code "10 seconds"}, {@code "1 minute"}, {@code "26
 * hours"}, {@code "2 weeks"}; units second, minute, hour, day, week, month (30 days), year (365
 * days), singular or plural; also a bare number of milliseconds.
 */
public final class Durations {
  private static final Pattern HUMAN =
      Pattern.compile(
          "^\\s*(\\d+(?:\\.\\d+)?)\\s*(milliseconds?|ms|seconds?|s|minutes?|m|hours?|h|days?|d|weeks?|w|months?|years?|y)\\s*$");

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException with the accepted forms if the text is not a duration
   */
  public static Duration parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("duration is null");
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.matches("\\d+")) {
      return Duration.ofMillis(Long.parseLong(t));
    }
    Matcher m = HUMAN.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "invalid duration '"
              + text
              + "': expected a number of milliseconds or '<n> <unit>' with unit"
              + " second, minute, hour, day, week, month or year");
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2);
    double ms;
    if (unit.startsWith("ms") || unit.startsWith("milli")) {
      ms = n;
    } else if (unit.startsWith("s")) {
      ms = n * 1_000;
    } else if (unit.equals("m") || unit.startsWith("minute")) {
      ms = n * 60_000;
    } else if (unit.startsWith("h")) {
      ms = n * 3_600_000;
    } else if (unit.startsWith("d")) {
      ms = n * 86_400_000;
    } else if (unit.startsWith("w")) {
      ms = n * 7 * 86_400_000d;
    } else if (unit.startsWith("month")) {
      ms = n * 30 * 86_400_000d;
    } else {
      ms = n * 365 * 86_400_000d;
    }
    return Duration.ofMillis(Math.round(ms));
  }

  /** Formats a duration the way {@link #parse} reads it back, in the largest exact unit. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    long[] sizes = {86_400_000L * 7, 86_400_000L, 3_600_000L, 60_000L, 1_000L};
    String[] names = {"week", "day", "hour", "minute", "second"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms != 0 && ms % sizes[i] == 0) {
        long n = ms / sizes[i];
        return n + " " + names[i] + (n == 1 ? "" : "s");
      }
    }
    return ms + " milliseconds";
  }
}
