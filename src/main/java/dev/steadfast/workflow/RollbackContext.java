package dev.steadfast.workflow;

/**
 * What a compensation knows about the step it undoes.
 *
 * @param stepName the compensated step's name as given to {@code step.run}
 * @param count its occurrence within the run (1 for the first step of that name)
 * @param attempt the attempt number of this compensation, 1 on the first try
 * @param config the compensated step's effective config (defaults merged in)
 * @param output the step's result when it succeeded, otherwise null
 * @param error the step's error when it failed (for good, or its last attempt when the instance
 *     was terminated while the step waited for a retry), otherwise null
 * @param <T> the step's result type
 */
public record RollbackContext<T>(
    String stepName, int count, int attempt, StepConfig config, T output, ErrorInfo error) {

  /** Whether the compensated step returned a result (false: it failed, see {@link #error}). */
  public boolean succeeded() {
    return error == null;
  }
}
