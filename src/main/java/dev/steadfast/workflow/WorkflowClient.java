package dev.steadfast.workflow;

import java.util.List;

/**
 * Creates and finds instances of one workflow: the Java form of a Workflows binding. Inject it with
 * {@code @Inject @WorkflowBinding("PROCESSING_WORKFLOW") WorkflowClient<Params> workflow;}.
 *
 * @param <P> the workflow's params type
 */
public interface WorkflowClient<P> {

  /** The workflow's name. */
  String name();

  /** Creates an instance with a random id. Durable when this returns. */
  default WorkflowInstance create(P params) {
    return create(null, params);
  }

  /**
   * Creates an instance. Durable when this returns: a crash right after never loses it.
   *
   * @param id {@code ^[a-zA-Z0-9_][a-zA-Z0-9-_]*$}, at most 100 characters; null for a random UUID
   * @throws WorkflowException ALREADY_EXISTS if the id is in use, INVALID / TOO_LARGE for bad input
   */
  WorkflowInstance create(String id, P params);

  /**
   * Creates an instance kept for {@code retention} once it finished, e.g. {@code
   * Retention.success("1 day").error("30 days")}; the periods it leaves unset are the workflow's
   * or the server's.
   *
   * @throws WorkflowException as {@link #create(String, Object)}
   */
  WorkflowInstance create(String id, P params, Retention retention);

  /**
   * Creates up to 100 instances; ids already in use are skipped without error (Cloudflare's
   * array form, kept for compatibility: {@link #createBatch(BatchOptions)} says which entries
   * were not created and why).
   *
   * @return the instances created, in request order
   */
  List<WorkflowInstance> createBatch(List<NewInstance<P>> instances);

  /**
   * Creates up to 100 instances, by count or by list, in one transaction. An entry that cannot be
   * created (an id in use, an id twice in the batch, a bad id, params too large) is an error of
   * its own in the result; the others are created.
   *
   * @throws WorkflowException INVALID if the batch is empty or holds more than 100 entries
   */
  BatchResult createBatch(BatchOptions<P> batch);

  /**
   * Deletes up to 100 instances with everything recorded for them; a running one stops (also when
   * an instance deletes itself). An id that is not found is an error of its own in the result.
   *
   * @throws WorkflowException INVALID if the list is empty or holds more than 100 ids
   */
  DeleteResult deleteBatch(List<String> ids);

  /**
   * The instance with this id.
   *
   * @throws WorkflowException INSTANCE_NOT_FOUND if there is none
   */
  WorkflowInstance get(String id);

  /**
   * One instance to create in a batch: an id (null for random), params and a retention (null for
   * the workflow's or the server's).
   */
  record NewInstance<P>(String id, P params, Retention retention) {
    public NewInstance(String id, P params) {
      this(id, params, null);
    }
  }
}
