package dev.steadfast.workflow;

import java.util.List;

/**
 * The outcome of {@link WorkflowClient#createBatch(BatchOptions)}: the instances created, in
 * request order, and one error for each entry that was not created.
 *
 * @param created the new instances
 * @param errors why the other entries were not created, in request order
 */
public record BatchResult(List<WorkflowInstance> created, List<Error> errors) {
  public BatchResult {
    created = List.copyOf(created);
    errors = List.copyOf(errors);
  }

  /**
   * An entry that was not created.
   *
   * @param index its position in the request (0-based)
   * @param id its instance id, or null when it had none
   * @param reason ALREADY_EXISTS (the id is in use), DUPLICATE_ID (an earlier entry has it),
   *     INVALID or TOO_LARGE
   * @param message what is wrong, for people
   */
  public record Error(int index, String id, WorkflowException.Reason reason, String message) {}
}
