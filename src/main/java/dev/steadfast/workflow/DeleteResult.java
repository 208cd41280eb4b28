package dev.steadfast.workflow;

import java.util.List;

/**
 * The outcome of {@link WorkflowClient#deleteBatch(List)}: the ids deleted and one error for each
 * id that was not (an id given twice counts once).
 *
 * @param deleted the ids of the instances deleted, in request order
 * @param errors the ids not deleted, in request order
 */
public record DeleteResult(List<String> deleted, List<Error> errors) {
  public DeleteResult {
    deleted = List.copyOf(deleted);
    errors = List.copyOf(errors);
  }

  /**
   * An id that was not deleted.
   *
   * @param id the id as given
   * @param reason INSTANCE_NOT_FOUND or INVALID
   * @param message what is wrong, for people
   */
  public record Error(String id, WorkflowException.Reason reason, String message) {}
}
