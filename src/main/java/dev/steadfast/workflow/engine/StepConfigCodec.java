package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.Backoff;
import dev.steadfast.workflow.StepConfig;
import java.time.Duration;
import java.util.Map;

/**
 * The JSON form of a step config as recorded in the journal and shown in instance details:
 * {@code {"retries":{"limit":5,"delay":10000,"backoff":"exponential"},"timeout":600000}} (times in
 * milliseconds, limit -1 for unlimited), with {@code "sensitive":true} added for a sensitive step
 * (the flag {@link Redaction} reads). A delay function is code, not data: the delay is recorded as
 * {@value #DYNAMIC} (Cloudflare's spelling, which wrangler understands), the step passes the
 * function again on every run, and the delays it chose are recorded as due times.
 */
final class StepConfigCodec {
  /** The recorded delay of a step whose delays come from a function. */
  static final String DYNAMIC = "\"[dynamic]\"";

  private StepConfigCodec() {}

  static String write(StepConfig c) {
    return "{\"retries\":{\"limit\":" + c.limit() + ",\"delay\":"
        + (c.delayFunction() != null ? DYNAMIC : String.valueOf(c.delay().toMillis()))
        + ",\"backoff\":\"" + c.backoff().wireName() + "\"},\"timeout\":" + c.timeout().toMillis()
        + (c.isSensitive() ? "," + Redaction.SENSITIVE_FLAG : "") + "}";
  }

  @SuppressWarnings("unchecked")
  static StepConfig read(Json json, String text, StepConfig fallback) {
    if (text == null) {
      return fallback;
    }
    Map<String, Object> m = (Map<String, Object>) json.read(text, Map.class);
    Map<String, Object> r = (Map<String, Object>) m.get("retries");
    return new StepConfig(
        ((Number) r.get("limit")).intValue(),
        r.get("delay") instanceof Number n ? Duration.ofMillis(n.longValue()) : fallback.delay(),
        Backoff.fromWireName((String) r.get("backoff")),
        Duration.ofMillis(((Number) m.get("timeout")).longValue()),
        null,
        Boolean.TRUE.equals(m.get("sensitive")));
  }
}
