package dev.steadfast.workflow.engine;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;

/**
 * A 5-field cron expression (minute hour day-of-month month day-of-week) evaluated in UTC, with
 * {@code *}, lists, ranges and steps. Day of week 0 or 7 is Sunday; months and days of week may
 * also be written as three-letter English names ({@code JAN}, {@code MON-FRI}), as Cloudflare's
 * cron triggers accept. As in Vixie cron, when both day fields are restricted a day matches if
 * either does. Agent schedules and workflow schedules share it.
 */
public final class CronExpression {
  private final String text;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet days;
  private final BitSet months;
  private final BitSet weekdays;
  private final boolean dayStar;
  private final boolean weekdayStar;

  private CronExpression(String text) {
    this.text = text;
    String[] f = text.trim().split("\\s+");
    if (f.length != 5) {
      throw new IllegalArgumentException("cron needs 5 fields (minute hour day month weekday): '"
          + text + "'");
    }
    minutes = field(f[0], 0, 59);
    hours = field(f[1], 0, 23);
    days = field(f[2], 1, 31);
    months = field(names(f[3], MONTHS, 1), 1, 12);
    weekdays = field(names(f[4], WEEKDAYS, 0), 0, 7);
    if (weekdays.get(7)) {
      weekdays.set(0);
    }
    dayStar = f[2].startsWith("*");
    weekdayStar = f[4].startsWith("*");
  }

  private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG",
    "SEP", "OCT", "NOV", "DEC"};
  private static final String[] WEEKDAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

  /** The field with its names replaced by their numbers ({@code first} for the first name). */
  private static String names(String spec, String[] names, int first) {
    String out = spec.toUpperCase(java.util.Locale.ROOT);
    for (int i = 0; i < names.length; i++) {
      out = out.replace(names[i], String.valueOf(first + i));
    }
    return out;
  }

  /**
   * Parses a cron expression.
   *
   * @throws IllegalArgumentException naming what is wrong with it
   */
  public static CronExpression parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("cron expression is empty");
    }
    return new CronExpression(text);
  }

  /** True if the text is a cron expression rather than something else. */
  public static boolean isValid(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static BitSet field(String spec, int min, int max) {
    BitSet bits = new BitSet();
    for (String part : spec.split(",")) {
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        step = number(part.substring(slash + 1), 1, max);
        part = part.substring(0, slash);
      }
      int from;
      int to;
      if (part.equals("*")) {
        from = min;
        to = max;
      } else if (part.contains("-")) {
        String[] r = part.split("-", 2);
        from = number(r[0], min, max);
        to = number(r[1], min, max);
        if (from > to) {
          throw new IllegalArgumentException("bad cron range '" + part + "'");
        }
      } else {
        from = number(part, min, max);
        to = slash >= 0 ? max : from;
      }
      for (int v = from; v <= to; v += step) {
        bits.set(v);
      }
    }
    return bits;
  }

  private static int number(String s, int min, int max) {
    try {
      int v = Integer.parseInt(s);
      if (v < min || v > max) {
        throw new IllegalArgumentException("cron value " + v + " outside " + min + "-" + max);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad cron value '" + s + "'");
    }
  }

  /** The first matching minute strictly after {@code after}. */
  public Instant next(Instant after) {
    ZonedDateTime t = after.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    ZonedDateTime limit = t.plusYears(5); // an impossible date (Feb 30) must not loop forever
    while (t.isBefore(limit)) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).withHour(0).withMinute(0).plusMonths(1);
      } else if (!dayMatches(t)) {
        t = t.withHour(0).withMinute(0).plusDays(1);
      } else if (!hours.get(t.getHour())) {
        t = t.withMinute(0).plusHours(1);
      } else if (!minutes.get(t.getMinute())) {
        t = t.plusMinutes(1);
      } else {
        return t.toInstant();
      }
    }
    throw new IllegalArgumentException("cron '" + text + "' never matches");
  }

  private boolean dayMatches(ZonedDateTime t) {
    boolean dom = days.get(t.getDayOfMonth());
    boolean dow = weekdays.get(t.getDayOfWeek().getValue() % 7);
    if (dayStar || weekdayStar) {
      return dom && dow;
    }
    return dom || dow;
  }

  @Override
  public String toString() {
    return text;
  }
}
