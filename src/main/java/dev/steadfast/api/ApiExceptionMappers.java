package dev.steadfast.api;

import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.engine.DatabaseHealth;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns every failure into an enveloped answer. Most specific mapper wins (JAX-RS picks the
 * nearest superclass), so the Throwable mapper only sees what nobody anticipated.
 */
public final class ApiExceptionMappers {
  private static final Logger LOG = Logger.getLogger(ApiExceptionMappers.class.getName());

  private ApiExceptionMappers() {}

  /** Our own refusals. */
  @Provider
  public static class ApiErrors implements ExceptionMapper<ApiError> {
    @Override
    public Response toResponse(ApiError e) {
      return Envelope.error(e);
    }
  }

  /** Engine refusals, by reason. */
  @Provider
  public static class EngineErrors implements ExceptionMapper<WorkflowException> {
    @Override
    public Response toResponse(WorkflowException e) {
      return Envelope.error(of(e));
    }

    static ApiError of(WorkflowException e) {
      return switch (e.reason()) {
        case INVALID -> new ApiError(400, ApiError.INVALID_BODY, e.getMessage());
        case WORKFLOW_NOT_FOUND -> new ApiError(404, ApiError.WORKFLOW_NOT_FOUND, e.getMessage());
        case INSTANCE_NOT_FOUND -> new ApiError(404, ApiError.INSTANCE_NOT_FOUND, e.getMessage());
        case ALREADY_EXISTS -> new ApiError(409, ApiError.ALREADY_EXISTS, e.getMessage());
        case DUPLICATE_ID -> new ApiError(400, ApiError.DUPLICATE_IN_BATCH, e.getMessage());
        case ILLEGAL_STATE -> new ApiError(409, ApiError.ILLEGAL_STATE, e.getMessage());
        case TOO_LARGE -> new ApiError(413, ApiError.TOO_LARGE, e.getMessage());
      };
    }
  }

  /** Routing and protocol refusals of the JAX-RS runtime (unknown path, wrong method, ...). */
  @Provider
  public static class HttpErrors implements ExceptionMapper<WebApplicationException> {
    @Override
    public Response toResponse(WebApplicationException e) {
      int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
      if (e instanceof NotFoundException) {
        return Envelope.error(404, ApiError.NO_ROUTE, "no endpoint at this path");
      }
      if (e instanceof NotAllowedException) {
        Response r = Envelope.error(405, ApiError.METHOD_NOT_ALLOWED,
            "this endpoint does not accept that method");
        String allow = e.getResponse().getHeaderString(HttpHeaders.ALLOW);
        return allow == null ? r : Response.fromResponse(r).header(HttpHeaders.ALLOW, allow).build();
      }
      if (status >= 500) {
        LOG.log(Level.WARNING, "REST API request failed", e);
        return Envelope.error(500, ApiError.INTERNAL, "internal error");
      }
      String reason = e.getResponse().getStatusInfo().getReasonPhrase();
      return Envelope.error(status, ApiError.UNSUPPORTED_REQUEST,
          "request refused: " + (reason == null ? "HTTP " + status : reason));
    }
  }

  /** Anything else is our fault: logged with its stack, answered without it. */
  @Provider
  public static class Unexpected implements ExceptionMapper<Throwable> {
    @Override
    public Response toResponse(Throwable e) {
      // the engine wraps its refusals in transaction exceptions when they cross a JTA boundary
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof WorkflowException w) {
          return Envelope.error(EngineErrors.of(w));
        }
        if (c instanceof ApiError a) {
          return Envelope.error(a);
        }
      }
      if (DatabaseHealth.isConnectivity(e)) {
        // the database went away under this request: the engine reports (and logs) the outage
        // once; each request gets a clear, retryable answer instead of a stack trace
        LOG.log(Level.FINE, "REST API request failed: the database is unreachable", e);
        return AvailabilityFilter.databaseDown();
      }
      LOG.log(Level.SEVERE, "REST API request failed", e);
      return Envelope.error(500, ApiError.INTERNAL, "internal error: " + e.getClass().getSimpleName());
    }
  }
}
