package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.engine.WorkflowEngine.InstanceView;
import dev.steadfast.workflow.store.AttemptRecord;
import dev.steadfast.workflow.store.StepRecord;
import dev.steadfast.workflow.store.StepState;
import java.util.List;
import java.util.Optional;

/**
 * The whole output of one step of an instance, as Cloudflare's {@code GET …/instances/{id}/step}
 * gives it: the step's status ({@code running}, {@code waiting}, {@code complete}, {@code
 * errored}), its error and its output (redacted when sensitive), never abbreviated.
 */
public final class StepOutputs {
  private StepOutputs() {}

  /** Step kinds the endpoint knows, by their wire name. */
  public static final String STEP = "step";
  public static final String WAIT_FOR_EVENT = "waitForEvent";

  /**
   * One step's outcome.
   *
   * @param status running (a retry pending counts: the error is then the last attempt's),
   *     waiting, complete or errored
   * @param outputJson the output as JSON text (null unless complete), {@link
   *     Redaction#REDACTED_JSON} for a sensitive step
   */
  public record StepOutput(String status, String errorName, String errorMessage,
      String outputJson) {}

  /** A step name as shown in the details ({@code "fetch data-1"}): the name and its count. */
  public record StepName(String name, int count) {
    /** Parses {@code name-count}; null when the text does not end in a count of 1 or more. */
    public static StepName parse(String text) {
      int dash = text == null ? -1 : text.lastIndexOf('-');
      if (dash <= 0 || dash == text.length() - 1) {
        return null;
      }
      String digits = text.substring(dash + 1);
      if (!digits.chars().allMatch(Character::isDigit) || digits.length() > 9) {
        return null;
      }
      int count = Integer.parseInt(digits);
      return count < 1 ? null : new StepName(text.substring(0, dash), count);
    }
  }

  /**
   * The outcome of step {@code name} of {@code type} ({@link #STEP} or {@link #WAIT_FOR_EVENT}),
   * or of one of its attempts; empty when the instance has no such step or attempt.
   *
   * @param attempt 1-based, or null for the step as a whole
   */
  public static Optional<StepOutput> find(InstanceView view, StepName name, String type,
      Integer attempt) {
    String suffix = name.name() + "-" + name.count();
    StepRecord step = null;
    for (StepRecord s : view.steps()) {
      String key = s.key();
      boolean match = STEP.equals(type)
          ? key.equals("do:" + suffix) || key.equals(Races.KIND + ":" + suffix)
          : key.equals("waitForEvent:" + suffix);
      if (match) {
        step = s;
        break;
      }
    }
    if (step == null) {
      return Optional.empty();
    }
    if (WAIT_FOR_EVENT.equals(type)) {
      return attempt != null && attempt != 1 ? Optional.empty() : Optional.of(waitOutcome(step));
    }
    if (attempt == null) {
      return Optional.of(stepOutcome(step));
    }
    List<AttemptRecord> attempts = view.attempts().getOrDefault(step.key(), List.of());
    for (AttemptRecord a : attempts) {
      if (a.attempt() == attempt) {
        return Optional.of(attemptOutcome(step, a));
      }
    }
    return Optional.empty();
  }

  private static StepOutput stepOutcome(StepRecord s) {
    return switch (s.state()) {
      case StepState.SUCCEEDED -> new StepOutput("complete", null, null, shown(s));
      case StepState.FAILED -> new StepOutput("errored", s.errorName(), s.errorMessage(), null);
      // retrying: the error of the attempt that failed last, as Cloudflare reports it
      default -> new StepOutput("running", s.errorName(), s.errorMessage(), null);
    };
  }

  private static StepOutput attemptOutcome(StepRecord s, AttemptRecord a) {
    if (a.endedAt() == null || a.success() == null) {
      return new StepOutput("running", null, null, null);
    }
    if (a.success()) {
      return new StepOutput("complete", null, null, shown(s));
    }
    return new StepOutput("errored", a.errorName(), a.errorMessage(), null);
  }

  private static StepOutput waitOutcome(StepRecord s) {
    return switch (s.state()) {
      case StepState.RECEIVED -> new StepOutput("complete", null, null, shown(s));
      case StepState.TIMED_OUT -> new StepOutput("errored", s.errorName(), s.errorMessage(), null);
      default -> new StepOutput("waiting", null, null, null);
    };
  }

  private static String shown(StepRecord s) {
    String shown = Redaction.shownResult(s);
    return shown == null ? "null" : shown;
  }
}
