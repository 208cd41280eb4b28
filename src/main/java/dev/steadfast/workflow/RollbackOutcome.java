package dev.steadfast.workflow;

/**
 * Where an instance's rollback stands: see {@link InstanceStatus#rollback()}.
 *
 * @param state running (the instance is {@code rollingBack}), rolled back, failed, or cancelled
 * @param step the compensation that failed for good ({@code "charge-1"}: the compensated step's
 *     name and occurrence), only when {@code state} is {@link State#FAILED}
 * @param error that compensation's last error, only when {@code state} is {@link State#FAILED}
 */
public record RollbackOutcome(State state, String step, ErrorInfo error) {

  /** The states of a rollback; {@link #wireName()} is the REST spelling. */
  public enum State {
    /** Compensations are running (instance status {@code rollingBack}). */
    RUNNING("running"),
    /** Every compensation of the completed steps succeeded. */
    ROLLED_BACK("rolledBack"),
    /**
     * A compensation failed for good; the compensations after it (of steps started earlier) did
     * not run.
     */
    FAILED("failed"),
    /** The instance was terminated (without rollback) while its compensations ran. */
    CANCELLED("cancelled");

    private final String wireName;

    State(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    /** Parses a wire name ({@code rolledBack}). */
    public static State fromWireName(String name) {
      for (State s : values()) {
        if (s.wireName.equals(name)) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown rollback state '" + name + "'");
    }
  }
}
