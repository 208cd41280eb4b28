package dev.steadfast.workflow.engine;

/**
 * Control flow of a turn that is not an outcome of the workflow code. They extend {@link Error} so
 * that workflow code catching {@code Exception} around a step does not swallow them.
 */
final class Signals {
  private Signals() {}

  /** The turn stops here: the instance waits until {@code dueAt} (or is paused when null). */
  static final class Suspend extends Error {
    private static final long serialVersionUID = 1L;
    final long dueAt;
    final boolean pause;

    Suspend(long dueAt, boolean pause) {
      super(null, null, false, false);
      this.dueAt = dueAt;
      this.pause = pause;
    }
  }

  /** The instance was terminated, restarted or taken over: abandon the turn, write nothing. */
  static final class Abandon extends Error {
    private static final long serialVersionUID = 1L;

    Abandon(String why) {
      super(why, null, false, false);
    }
  }

  /** The instance fails for good with this error, whatever the workflow code would catch. */
  static final class Fatal extends Error {
    private static final long serialVersionUID = 1L;
    final String errorName;

    Fatal(String errorName, String message) {
      super(message, null, false, false);
      this.errorName = errorName;
    }
  }

  /**
   * The turn failed for a reason that is not the workflow's (see {@link EnvironmentFailure}):
   * nothing more is written, the instance runs again after a back-off.
   */
  static final class Retry extends Error {
    private static final long serialVersionUID = 1L;
    final String errorName;

    Retry(String errorName, String message) {
      super(message, null, false, false);
      this.errorName = errorName;
    }
  }

  /**
   * A turn that rolls back replays {@code run} only to learn the compensations of the steps that
   * have an outcome: it stops at the first step, sleep or wait without one, and starts nothing.
   */
  static final class Halt extends Error {
    private static final long serialVersionUID = 1L;

    Halt() {
      super("rolling back: no new step starts", null, false, false);
    }
  }
}
