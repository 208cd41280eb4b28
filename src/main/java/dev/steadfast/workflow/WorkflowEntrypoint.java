package dev.steadfast.workflow;

/**
 * Base class of every workflow. {@link #run} is replayed from the top whenever the instance
 * resumes (after a sleep, an event, a retry delay, a pause or a server restart): completed steps
 * return their recorded results, so code outside steps may run many times and must be
 * deterministic.
 *
 * @param <P> the type of the instance's params (the event payload); a record, a list, a map, a
 *     primitive wrapper or {@link Object} for raw JSON
 * @param <R> the type of the instance's output
 */
public abstract class WorkflowEntrypoint<P, R> {

  /**
   * The workflow's body.
   *
   * @param event the immutable triggering event: params, creation time and instance id
   * @param step the durable step API of this instance
   * @return the instance's output, stored as JSON
   */
  public abstract R run(WorkflowEvent<P> event, WorkflowStep step) throws Exception;
}
