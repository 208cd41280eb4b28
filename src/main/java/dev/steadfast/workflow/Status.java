package dev.steadfast.workflow;

/** The status of an instance; {@link #wireName()} is the Cloudflare spelling. */
public enum Status {
  QUEUED("queued"),
  RUNNING("running"),
  PAUSED("paused"),
  ERRORED("errored"),
  TERMINATED("terminated"),
  COMPLETE("complete"),
  /** Sleeping, waiting for an event, or waiting out a retry delay. */
  WAITING("waiting"),
  /** A pause was asked for while a step was in flight; it becomes paused when the step ends. */
  WAITING_FOR_PAUSE("waitingForPause"),
  /**
   * Running the compensations of its completed steps, after it failed or was terminated with
   * rollback; it ends as errored or terminated, see {@link InstanceStatus#rollback()}.
   */
  ROLLING_BACK("rollingBack"),
  UNKNOWN("unknown");

  private final String wireName;

  Status(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** complete, errored or terminated: nothing runs any more unless restarted. */
  public boolean isFinished() {
    return this == COMPLETE || this == ERRORED || this == TERMINATED;
  }

  /** Parses a wire name ({@code waitingForPause}) or an enum name ({@code WAITING_FOR_PAUSE}). */
  public static Status fromWireName(String name) {
    for (Status s : values()) {
      if (s.wireName.equals(name) || s.name().equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown status '"
            + name
            + "': use queued, running, paused, errored, terminated, complete, waiting,"
            + " waitingForPause, rollingBack or unknown");
  }
}
