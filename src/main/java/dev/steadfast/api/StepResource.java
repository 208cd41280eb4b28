package dev.steadfast.api;

import dev.steadfast.workflow.engine.StepOutputs;
import dev.steadfast.workflow.engine.StepOutputs.StepName;
import dev.steadfast.workflow.engine.StepOutputs.StepOutput;
import dev.steadfast.workflow.engine.WorkflowEngine;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

/**
 * The whole output of one step: {@code GET …/instances/{id}/step?name=&type=&attempt=}, where the
 * instance details abbreviate long outputs. Answers {@code {status, error, output}} as Cloudflare
 * does; a sensitive step's output is {@code "[REDACTED]"} here too.
 */
@RequestScoped
@Path("/accounts/{account_id}/workflows/{name}/instances/{id}/step")
public class StepResource {
  @Inject WorkflowEngine engine;

  @GET
  public Response get(@PathParam("name") String workflow, @PathParam("id") String id,
      @QueryParam("name") String stepName, @QueryParam("type") String type,
      @QueryParam("attempt") String attempt) {
    if (stepName == null || stepName.isEmpty()) {
      throw ApiError.invalidParameter("query parameter 'name' is required: the step name with its"
          + " count, as in the instance details (e.g. 'fetch data-1')");
    }
    StepName name = StepName.parse(stepName);
    if (name == null) {
      throw ApiError.invalidParameter("query parameter 'name' must end in the step's count, as in"
          + " the instance details (e.g. 'fetch data-1'), got '" + stepName + "'");
    }
    String kind = type == null || type.isEmpty() ? StepOutputs.STEP : type;
    if (!kind.equals(StepOutputs.STEP) && !kind.equals(StepOutputs.WAIT_FOR_EVENT)) {
      throw ApiError.invalidParameter("query parameter 'type' must be step or waitForEvent, got '"
          + type + "'");
    }
    Integer n = attempt == null || attempt.isBlank() ? null
        : Params.positive(attempt, "attempt", 1, Integer.MAX_VALUE);
    StepOutput out = StepOutputs.find(engine.view(workflow, id), name, kind, n)
        .orElseThrow(() -> new ApiError(404, ApiError.STEP_NOT_FOUND, "instance '" + id
            + "' has no " + kind + " '" + stepName + "'" + (n == null ? "" : " attempt " + n)));
    return Envelope.ok(Jsonp.P.createObjectBuilder()
        .add("status", out.status())
        .add("error", Wire.error(out.errorName(), out.errorMessage()))
        .add("output", Wire.json(out.outputJson()))
        .build());
  }
}
