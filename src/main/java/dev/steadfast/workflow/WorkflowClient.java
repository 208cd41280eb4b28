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
   * Creates up to 100 instances; ids already in use are skipped without error.
   *
   * @return the instances created, in request order
   */
  List<WorkflowInstance> createBatch(List<NewInstance<P>> instances);

  /**
   * The instance with this id.
   *
   * @throws WorkflowException INSTANCE_NOT_FOUND if there is none
   */
  WorkflowInstance get(String id);

  /** One instance to create in a batch: an id (null for random) and params. */
  record NewInstance<P>(String id, P params) {}
}
