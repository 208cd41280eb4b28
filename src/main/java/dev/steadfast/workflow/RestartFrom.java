package dev.steadfast.workflow;

/**
 * Where a restart begins: results of the named step occurrence and of everything recorded after it
 * are erased, earlier results are kept.
 *
 * @param name the step name without the occurrence suffix
 * @param count the occurrence (1 = the first step of that name)
 * @param type which kind of step: {@code do}, {@code sleep} or {@code waitForEvent}
 */
public record RestartFrom(String name, int count, String type) {
  public RestartFrom {
    if (name == null || name.isEmpty()) {
      throw new WorkflowException(WorkflowException.Reason.INVALID, "restart step name is empty");
    }
    if (count < 1) {
      throw new WorkflowException(
          WorkflowException.Reason.INVALID, "restart step count must be >= 1, got " + count);
    }
    if (type == null) {
      type = "do";
    }
    if (!type.equals("do") && !type.equals("sleep") && !type.equals("waitForEvent")) {
      throw new WorkflowException(
          WorkflowException.Reason.INVALID,
          "restart step type must be do, sleep or waitForEvent, got '" + type + "'");
    }
  }

  /** The first {@code do} step named {@code name}. */
  public static RestartFrom step(String name) {
    return new RestartFrom(name, 1, "do");
  }
}
