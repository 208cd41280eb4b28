package dev.steadfast.workflow;

import dev.steadfast.workflow.WorkflowClient.NewInstance;
import java.util.List;

/**
 * What {@link WorkflowClient#createBatch(BatchOptions)} creates: {@code count} instances that share
 * params (each with a random id), or a list of instances each with its own id, params and
 * retention. Up to 100 either way.
 *
 * <pre>{@code
 * BatchResult r = reports.createBatch(BatchOptions.count(10, new Report("daily")));
 * BatchResult r = orders.createBatch(BatchOptions.of(List.of(
 *     new NewInstance<>("order-1", o1), new NewInstance<>("order-2", o2))));
 * }</pre>
 *
 * @param count how many instances to create with {@code params}; null in the list form
 * @param params the params of every instance of the count form
 * @param retention the retention of every instance of the count form (null: the default)
 * @param instances the instances of the list form; null in the count form
 * @param <P> the workflow's params type
 */
public record BatchOptions<P>(Integer count, P params, Retention retention,
    List<NewInstance<P>> instances) {

  public BatchOptions {
    if ((count == null) == (instances == null)) {
      throw new WorkflowException(WorkflowException.Reason.INVALID,
          "a batch is either a count or a list of instances, not " + (count == null
              ? "neither" : "both"));
    }
    // a copy that keeps null entries: each is reported as an error of its own
    instances = instances == null ? null
        : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(instances));
  }

  /** {@code count} instances with the same params and random ids. */
  public static <P> BatchOptions<P> count(int count, P params) {
    return new BatchOptions<>(count, params, null, null);
  }

  /** These instances, each with its own id (null for random), params and retention. */
  public static <P> BatchOptions<P> of(List<NewInstance<P>> instances) {
    return new BatchOptions<>(null, null, null, instances);
  }

  /** The count form with a retention for every instance it creates. */
  public BatchOptions<P> withRetention(Retention r) {
    if (count == null) {
      throw new WorkflowException(WorkflowException.Reason.INVALID,
          "in the list form each instance carries its own retention");
    }
    return new BatchOptions<>(count, params, r, null);
  }

  /** How many entries the batch has. */
  public int size() {
    return count != null ? count : instances.size();
  }
}
