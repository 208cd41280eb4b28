package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.store.StepRecord;

/**
 * Outputs of sensitive steps ({@code StepConfig.sensitive()}) as everyone outside the workflow
 * sees them: the journal keeps the real value (a replay must return it), every view of it (REST
 * API and so wrangler and the dashboard, the event stream, logs) shows {@link #REDACTED}.
 */
public final class Redaction {
  /** What a sensitive output is shown as. */
  public static final String REDACTED = "[REDACTED]";

  /** {@link #REDACTED} as JSON text, for places that carry JSON text. */
  public static final String REDACTED_JSON = "\"" + REDACTED + "\"";

  /** The member a sensitive step's recorded config carries (see {@link StepConfigCodec}). */
  static final String SENSITIVE_FLAG = "\"sensitive\":true";

  private Redaction() {}

  /** Whether the step's output must not be shown. */
  public static boolean isSensitive(StepRecord s) {
    return s.config() != null && s.config().contains(SENSITIVE_FLAG);
  }

  /** The step's output JSON text as it may be shown: redacted when sensitive, null stays null. */
  public static String shownResult(StepRecord s) {
    if (s.result() == null) {
      return null;
    }
    return isSensitive(s) ? REDACTED_JSON : s.result();
  }
}
