package dev.steadfast.api;

import dev.steadfast.workflow.Status;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * Query parameters, read as strings and checked here: a JAX-RS typed parameter that fails to
 * convert answers a bare 404, which would tell a client nothing.
 */
final class Params {
  private Params() {}

  static int positive(String value, String name, int fallback, int max) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n < 1 || n > max) {
        throw ApiError.invalidParameter(name + " must be between 1 and " + max + ", got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiError.invalidParameter(name + " must be a whole number, got '" + value + "'");
    }
  }

  /** A status wire name (or null when absent). */
  static String status(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    for (Status s : Status.values()) {
      if (s.wireName().equals(value.trim())) {
        return s.wireName();
      }
    }
    throw ApiError.invalidParameter("status must be one of queued, running, paused, errored,"
        + " terminated, complete, waiting, waitingForPause, rollingBack, unknown; got '" + value + "'");
  }

  /** asc → true, desc or absent → false (newest first). */
  static boolean ascending(String value) {
    if (value == null || value.isBlank() || value.equalsIgnoreCase("desc")) {
      return false;
    }
    if (value.equalsIgnoreCase("asc")) {
      return true;
    }
    throw ApiError.invalidParameter("direction must be asc or desc, got '" + value + "'");
  }

  /**
   * An ISO-8601 instant, offset date-time, or date; a bare date means the start of that UTC day,
   * or its last millisecond when {@code endOfDay}.
   */
  static Long time(String value, String name, boolean endOfDay) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return parseTime(value.trim(), name, endOfDay);
    } catch (ArithmeticException | DateTimeException e) {
      // parsed, but beyond epoch milliseconds (e.g. year +999999999)
      throw ApiError.invalidParameter(name + " is out of range, got '" + value + "'");
    }
  }

  private static Long parseTime(String v, String name, boolean endOfDay) {
    String value = v;
    try {
      return Instant.parse(v).toEpochMilli();
    } catch (DateTimeParseException e) {
      // try the next form
    }
    try {
      return OffsetDateTime.parse(v).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      // try the next form
    }
    try {
      LocalDate d = LocalDate.parse(v);
      long start = d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      return endOfDay ? start + 86_400_000L - 1 : start;
    } catch (DateTimeParseException e) {
      throw ApiError.invalidParameter(name + " must be an ISO-8601 date or time, got '" + value
          + "'");
    }
  }

  /** The keyset position an opaque cursor stands for. */
  record Cursor(long createdAt, String uid) {
    String encode() {
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString((createdAt + ":" + uid).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String value) {
      if (value == null || value.isBlank()) {
        return null;
      }
      try {
        String text = new String(Base64.getUrlDecoder().decode(value.trim()), StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        return new Cursor(Long.parseLong(text.substring(0, colon)), text.substring(colon + 1));
      } catch (RuntimeException e) {
        throw ApiError.invalidParameter("cursor '" + value + "' is not one this server gave out");
      }
    }
  }
}
