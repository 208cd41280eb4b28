package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.WorkflowException.Reason;
import java.time.Duration;
import java.util.regex.Pattern;

/** The limits every input is checked against, with the error each one gives. */
public final class Limits {
  /** Ids, workflow names and event types. */
  public static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9_][a-zA-Z0-9-_]*$");

  public static final int MAX_ID = 100;
  public static final int MAX_WORKFLOW_NAME = 64;
  public static final int MAX_EVENT_TYPE = 100;
  public static final int MAX_STEP_NAME = 256;
  public static final int MAX_BYTES = 1024 * 1024;
  public static final int MAX_BATCH = 100;
  public static final Duration MAX_SLEEP = Duration.ofDays(365);
  public static final Duration MIN_WAIT = Duration.ofSeconds(1);
  public static final Duration MAX_WAIT = Duration.ofDays(365);
  public static final Duration DEFAULT_WAIT = Duration.ofHours(24);
  /** Recorded error names (sf_instance, sf_step, sf_attempt: VARCHAR(256)). */
  public static final int MAX_ERROR_NAME = 256;
  /** Recorded error messages: longer ones are cut, so one huge message cannot bloat a journal. */
  public static final int MAX_ERROR_MESSAGE = 16 * 1024;

  private Limits() {}

  public static void checkInstanceId(String id) {
    check(id, MAX_ID, "instance id");
  }

  public static void checkWorkflowName(String name) {
    check(name, MAX_WORKFLOW_NAME, "workflow name");
  }

  public static void checkEventType(String type) {
    check(type, MAX_EVENT_TYPE, "event type");
  }

  private static void check(String value, int max, String what) {
    if (value == null || value.isEmpty()) {
      throw new WorkflowException(Reason.INVALID, what + " is empty");
    }
    if (value.length() > max) {
      throw new WorkflowException(
          Reason.INVALID, what + " is " + value.length() + " characters long; the limit is " + max);
    }
    if (!NAME.matcher(value).matches()) {
      throw new WorkflowException(
          Reason.INVALID,
          what + " '" + value + "' must match ^[a-zA-Z0-9_][a-zA-Z0-9-_]*$");
    }
  }

  /** Step names: 1 to 256 characters, no control characters. */
  public static void checkStepName(String name) {
    if (name == null || name.isEmpty()) {
      throw new WorkflowException(Reason.INVALID, "step name is empty");
    }
    if (name.length() > MAX_STEP_NAME) {
      throw new WorkflowException(
          Reason.INVALID,
          "step name is " + name.length() + " characters long; the limit is " + MAX_STEP_NAME);
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        throw new WorkflowException(
            Reason.INVALID, "step name '" + name.replaceAll("\\p{Cntrl}", "?")
                + "' contains a control character");
      }
    }
  }

  /** JSON of params, payloads and results: at most 1 MiB in UTF-8. */
  public static void checkSize(String json, String what) {
    if (json.length() > MAX_BYTES / 4 && Json.utf8Length(json) > MAX_BYTES) {
      throw new WorkflowException(
          Reason.TOO_LARGE,
          what + " is " + Json.utf8Length(json) + " bytes as JSON; the limit is 1 MiB ("
              + MAX_BYTES + " bytes)");
    }
  }

  /**
   * An error name as it is recorded: at most {@value #MAX_ERROR_NAME} characters (longer ones are
   * cut, ending in "..."), no NUL characters (PostgreSQL refuses them in text). The workflow sees
   * the recorded name, so a replay throws the same one.
   */
  public static String errorName(String name) {
    return fit(name, MAX_ERROR_NAME);
  }

  /** An error message as it is recorded: at most {@value #MAX_ERROR_MESSAGE} characters. */
  public static String errorMessage(String message) {
    return fit(message, MAX_ERROR_MESSAGE);
  }

  private static String fit(String s, int max) {
    if (s == null) {
      return null;
    }
    if (s.indexOf('\0') >= 0) {
      s = s.replace('\0', '?');
    }
    if (s.length() <= max) {
      return s;
    }
    int end = max - 3;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--; // never cut a character in two
    }
    return s.substring(0, end) + "...";
  }
}
