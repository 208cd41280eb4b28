package dev.steadfast.workflow;

/**
 * What a running step can know about itself. Available inside a step callback through {@link
 * #current()}.
 *
 * @param name the step name as given
 * @param count its occurrence within the run (1 for the first step of that name)
 * @param attempt the attempt number, 1 on the first try
 * @param config the effective config (defaults merged in)
 */
public record StepContext(String name, int count, int attempt, StepConfig config) {
  private static final ThreadLocal<StepContext> CURRENT = new ThreadLocal<>();

  /**
   * The context of the step running on this thread.
   *
   * @throws IllegalStateException outside a step callback
   */
  public static StepContext current() {
    StepContext c = CURRENT.get();
    if (c == null) {
      throw new IllegalStateException("StepContext.current() is only available inside a step");
    }
    return c;
  }

  /** Engine use: binds the context to this thread for the length of an attempt. */
  public static StepContext bind(StepContext context) {
    StepContext previous = CURRENT.get();
    if (context == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(context);
    }
    return previous;
  }
}
