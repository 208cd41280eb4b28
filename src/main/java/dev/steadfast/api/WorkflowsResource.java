package dev.steadfast.api;

import dev.steadfast.workflow.engine.WorkflowEngine;
import dev.steadfast.workflow.engine.WorkflowEngine.WorkflowInfo;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Locale;

/** Workflows: list, describe, versions, delete. One object for the application. */
@ApplicationScoped
@Path("/accounts/{account_id}/workflows")
public class WorkflowsResource {
  @Inject WorkflowEngine engine;

  @GET
  public Response list(@QueryParam("page") String page, @QueryParam("per_page") String perPage,
      @QueryParam("search") String search) {
    int p = Params.positive(page, "page", 1, Integer.MAX_VALUE);
    int size = Params.positive(perPage, "per_page", 50, 1000);
    String needle = search == null ? "" : search.toLowerCase(Locale.ROOT);
    List<WorkflowInfo> all = engine.workflows().stream()
        .filter(w -> w.definition().name().toLowerCase(Locale.ROOT).contains(needle)).toList();
    long from = (long) (p - 1) * size;
    List<WorkflowInfo> slice = from >= all.size() ? List.of()
        : all.subList((int) from, (int) Math.min(all.size(), from + size));
    JsonArrayBuilder items = Jsonp.P.createArrayBuilder();
    slice.forEach(w -> items.add(Wire.workflow(w)));
    return Envelope.ok(items.build(), Jsonp.P.createObjectBuilder()
        .add("page", p).add("per_page", size).add("count", slice.size())
        .add("total_count", all.size())
        .add("total_pages", (all.size() + size - 1) / size).build());
  }

  @GET
  @Path("{name}")
  public Response get(@PathParam("name") String name) {
    return Envelope.ok(Wire.workflow(engine.workflow(name)));
  }

  @GET
  @Path("{name}/versions")
  public Response versions(@PathParam("name") String name) {
    // one deployed class is one version; the list is never empty (wrangler reads [0].id)
    WorkflowInfo w = engine.workflow(name);
    return Envelope.ok(Jsonp.P.createArrayBuilder().add(Wire.version(w)).build(),
        Jsonp.P.createObjectBuilder().add("page", 1).add("per_page", 1).add("count", 1)
            .add("total_count", 1).build());
  }

  @DELETE
  @Path("{name}")
  public Response delete(@PathParam("name") String name) {
    engine.deleteWorkflow(name);
    return Envelope.ok(Jsonp.P.createObjectBuilder().add("status", "ok").add("success", true).build());
  }
}
