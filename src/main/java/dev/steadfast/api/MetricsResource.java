package dev.steadfast.api;

import dev.steadfast.workflow.engine.WorkflowEngine;
import dev.steadfast.workflow.engine.metrics.PrometheusText;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /client/v4/metrics}: this server's metrics in the Prometheus text format, behind the
 * same bearer token as the rest of the API (a scraper sends it with {@code authorization:
 * credentials_file}); instance counts by status and the due backlog are read from the database,
 * the rest is counted by this server since it started (docs/metrics.md).
 */
@RequestScoped
@Path("/metrics")
public class MetricsResource {
  @Inject WorkflowEngine engine;

  @GET
  public Response scrape() {
    return Response.ok(engine.metrics().scrape(), PrometheusText.CONTENT_TYPE).build();
  }
}
