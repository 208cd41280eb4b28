package dev.steadfast.api;

import dev.steadfast.workflow.engine.WorkflowEngine;
import dev.steadfast.workflow.engine.WorkflowEngine.WorkflowInfo;
import dev.steadfast.workflow.engine.graph.WorkflowGraph;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * {@code GET …/workflows/{name}/versions/{version_id}/graph}: the code diagram of a deployed
 * workflow version, read from its class's bytecode, in the shape of Cloudflare's version graph
 * (the version's fields plus {@code graph: {version, workflow: {class_name, functions, nodes,
 * payload}}}). {@code latest} names the deployed version.
 */
@RequestScoped
@Path("/accounts/{account_id}/workflows/{name}/versions/{version_id}/graph")
public class WorkflowGraphResource {
  @Inject WorkflowEngine engine;

  @GET
  public Response graph(@PathParam("name") String name,
      @PathParam("version_id") String versionId) {
    WorkflowInfo w = engine.workflow(name);
    if (!versionId.equals("latest") && !versionId.equals(w.definition().versionId())) {
      return Envelope.error(404, ApiError.WORKFLOW_NOT_FOUND, "Version " + versionId
          + " of workflow " + name + " not found (the deployed version is "
          + w.definition().versionId() + ")");
    }
    JsonObject graph;
    try {
      graph = WorkflowGraph.of(w.definition().workflowClass());
    } catch (RuntimeException e) {
      // a class file that cannot be read or understood: the version exists, its diagram does not
      return Envelope.error(500, ApiError.INTERNAL, "the diagram of workflow " + name
          + " cannot be made: " + e.getMessage());
    }
    JsonObjectBuilder out = Jsonp.P.createObjectBuilder();
    for (Map.Entry<String, jakarta.json.JsonValue> e : Wire.version(w).entrySet()) {
      out.add(e.getKey(), e.getValue());
    }
    return Envelope.ok(out.add("graph", graph).build());
  }
}
