package dev.steadfast.api;

import dev.steadfast.server.EngineBootstrap;
import dev.steadfast.workflow.engine.WorkflowEngine;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/**
 * Answers 503 with {@code Retry-After}, in the v4 envelope, while the server cannot serve the API:
 * while it starts (the API is reachable before the engine is, and a create sent then must be
 * refused clearly, not lost), and while the engine cannot reach its database. Runs before
 * authentication: it reveals nothing but that the server is not available.
 */
@Provider
@ApplicationScoped
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public class AvailabilityFilter implements ContainerRequestFilter {
  /** Seconds a client should wait before retrying while the server starts. */
  static final int RETRY_STARTING = 2;
  /** Seconds a client should wait before retrying while the database is unreachable. */
  static final int RETRY_DATABASE = 5;

  @Override
  public void filter(ContainerRequestContext request) {
    WorkflowEngine engine = EngineBootstrap.runningEngine();
    if (engine == null) {
      request.abortWith(unavailable(RETRY_STARTING, "the server is starting; retry in "
          + RETRY_STARTING + " s"));
    } else if (!engine.health().isUp() && !isMetrics(request)) {
      // the metrics stay readable during an outage: they say so (steadfast_database_up 0)
      request.abortWith(databaseDown());
    }
  }

  private static boolean isMetrics(ContainerRequestContext request) {
    String path = request.getUriInfo().getPath();
    return path.equals("metrics") || path.equals("/metrics");
  }

  /** 503: the database cannot be reached. */
  static Response databaseDown() {
    return unavailable(RETRY_DATABASE, "the database is unreachable; retry in " + RETRY_DATABASE
        + " s");
  }

  static Response unavailable(int retryAfter, String message) {
    return Response.fromResponse(Envelope.error(503, ApiError.UNAVAILABLE, message))
        .header("Retry-After", String.valueOf(retryAfter)).build();
  }
}
