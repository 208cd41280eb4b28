package dev.steadfast.api;

/**
 * A refusal with its HTTP status and v4 error code. The codes are the contract clients match on;
 * the message is for people.
 */
public class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Missing or wrong bearer token (401). */
  public static final int AUTHENTICATION = 10000;
  /** Something failed on our side (500). */
  public static final int INTERNAL = 10001;
  /** The body is not valid JSON, has a wrong type, a missing or an unknown field (400). */
  public static final int INVALID_BODY = 10002;
  /** The account id in the path is not the one this server serves (403). */
  public static final int ACCOUNT_MISMATCH = 10003;
  /** No endpoint at this path (404). */
  public static final int NO_ROUTE = 10004;
  /** The endpoint exists but not for this method (405). */
  public static final int METHOD_NOT_ALLOWED = 10005;
  /** A query or path parameter is invalid (400). */
  public static final int INVALID_PARAMETER = 10006;
  /** Any other HTTP-level refusal (415, 406, ...): the status says which. */
  public static final int UNSUPPORTED_REQUEST = 10007;
  /** No such workflow (404). */
  public static final int WORKFLOW_NOT_FOUND = 10200;
  /** No such instance (404). */
  public static final int INSTANCE_NOT_FOUND = 10400;
  /** An instance with this id exists already (409). */
  public static final int ALREADY_EXISTS = 10405;
  /** The instance's status does not allow the operation (409). */
  public static final int ILLEGAL_STATE = 10409;
  /** Params or payload over the size limit (413). */
  public static final int TOO_LARGE = 10413;
  /** The same instance id twice in one batch (400). */
  public static final int DUPLICATE_IN_BATCH = 10415;
  /** The instance has no step (or attempt) by that name and type (404). */
  public static final int STEP_NOT_FOUND = 10420;
  /** No agent class or persisted agent instance by that name (agents admin view). */
  public static final int AGENT_NOT_FOUND = 10404;
  /** The server is still starting, or cannot reach its database (503, with Retry-After). */
  public static final int UNAVAILABLE = 10503;

  private final int status;
  private final int code;

  public ApiError(int status, int code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  public static ApiError invalidBody(String message) {
    return new ApiError(400, INVALID_BODY, message);
  }

  public static ApiError invalidParameter(String message) {
    return new ApiError(400, INVALID_PARAMETER, message);
  }

  public int status() {
    return status;
  }

  public int code() {
    return code;
  }
}
