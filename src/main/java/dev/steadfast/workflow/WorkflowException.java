package dev.steadfast.workflow;

/**
 * A request to create or control workflow instances was refused. {@link #reason()} says why in a
 * way callers (such as the HTTP API) can map; the message says it for people.
 */
public class WorkflowException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a request was refused. */
  public enum Reason {
    /** Bad input: an id, name, event type, config or payload that breaks a rule. */
    INVALID,
    /** No workflow with that name is deployed. */
    WORKFLOW_NOT_FOUND,
    /** No instance with that id. */
    INSTANCE_NOT_FOUND,
    /** An instance with that id exists already. */
    ALREADY_EXISTS,
    /** The same instance id appears twice in one batch. */
    DUPLICATE_ID,
    /** The instance's status does not allow the operation (e.g. terminate a complete one). */
    ILLEGAL_STATE,
    /** Params, a payload or a result is over its size limit. */
    TOO_LARGE
  }

  private final Reason reason;

  public WorkflowException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
