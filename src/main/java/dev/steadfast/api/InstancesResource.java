package dev.steadfast.api;

import dev.steadfast.workflow.DeleteResult;
import dev.steadfast.workflow.RestartFrom;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowClient.NewInstance;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.Limits;
import dev.steadfast.workflow.engine.WorkflowEngine;
import dev.steadfast.workflow.store.InstanceRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Instances of one workflow: create, list, details, status changes, events, deletion. One object
 * for the application (the path's workflow name is a method parameter): a request-scoped resource
 * cost a CDI bean, its injections and Jersey's field injection on every request.
 */
@ApplicationScoped
@Path("/accounts/{account_id}/workflows/{name}/instances")
public class InstancesResource {
  private static final Set<String> CREATE_FIELDS =
      Set.of("instance_id", "params", "instance_retention");
  private static final Set<String> BATCH_FIELDS =
      Set.of("count", "params", "instance_retention", "instances");
  private static final Set<String> STATUS_FIELDS = Set.of("status", "from", "rollback");
  private static final Set<String> FROM_FIELDS = Set.of("name", "count", "type");

  @Inject WorkflowEngine engine;

  @POST
  public Response create(@PathParam("name") String workflow, String body) {
    NewInstance<Object> n = newInstance(Bodies.object(body, CREATE_FIELDS));
    WorkflowInstance i = client(workflow).create(n.id(), n.params(), n.retention());
    return Envelope.ok(created(workflow, i.id()));
  }

  /**
   * A JSON array of create bodies (Cloudflare's original form: ids in use are skipped, the answer
   * is the array of instances created), or an object, by count ({@code {count, params?,
   * instance_retention?}}) or by list ({@code {instances: [...]}}), answered with {@code
   * {created: [...], errors: [{index, id, code, message}]}}.
   */
  @POST
  @Path("batch")
  public Response createBatch(@PathParam("name") String workflow, String body) {
    JsonValue v = Bodies.parse(body);
    if (v instanceof JsonObject o) {
      return Envelope.ok(BatchBodies.result(client(workflow).createBatch(BatchBodies.options(o,
          BATCH_FIELDS, CREATE_FIELDS)), id -> created(workflow, id)));
    }
    JsonArray items = Bodies.array(v, "the body");
    if (items.isEmpty() || items.size() > Limits.MAX_BATCH) {
      throw ApiError.invalidBody("a batch holds 1 to " + Limits.MAX_BATCH + " instances, got "
          + items.size());
    }
    List<NewInstance<Object>> batch = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int k = 0; k < items.size(); k++) {
      NewInstance<Object> n = newInstance(Bodies.object(items.get(k), "item " + k, CREATE_FIELDS));
      if (n.id() != null && !ids.add(n.id())) {
        throw new ApiError(400, ApiError.DUPLICATE_IN_BATCH,
            "instance id '" + n.id() + "' appears more than once in the batch");
      }
      batch.add(n);
    }
    JsonArrayBuilder out = Jsonp.P.createArrayBuilder();
    // ids already in use are skipped by the engine, as Cloudflare does
    for (WorkflowInstance i : client(workflow).createBatch(batch)) {
      out.add(created(workflow, i.id()));
    }
    return Envelope.ok(out.build());
  }

  static NewInstance<Object> newInstance(JsonObject o) {
    String id = Bodies.string(o, "instance_id");
    return new NewInstance<>(id, Bodies.toJava(o.get("params")),
        BatchBodies.retention(o.get("instance_retention")));
  }

  JsonObject created(String workflow, String id) {
    var def = engine.registry().require(workflow);
    return Jsonp.P.createObjectBuilder().add("id", id).add("status", "queued")
        .add("version_id", def.versionId()).add("workflow_id", Wire.workflowId(def.name())).build();
  }

  /** Newest first unless direction=asc; result_info.cursor is set while more remain. */
  @GET
  public Response list(@PathParam("name") String workflow, @QueryParam("status") String status,
      @QueryParam("per_page") String perPage, @QueryParam("cursor") String cursor,
      @QueryParam("direction") String direction, @QueryParam("date_start") String dateStart, @QueryParam("date_end") String dateEnd) {
    int size = Params.positive(perPage, "per_page", 50, 1000);
    String st = Params.status(status);
    boolean asc = Params.ascending(direction);
    Long from = Params.time(dateStart, "date_start", false);
    Long to = Params.time(dateEnd, "date_end", true);
    Params.Cursor after = Params.Cursor.decode(cursor);
    List<InstanceRecord> rows = engine.listInstances(workflow, st == null ? null : List.of(st),
        from, to, asc, after == null ? null : after.createdAt(), after == null ? null : after.uid(),
        size + 1);
    boolean more = rows.size() > size;
    List<InstanceRecord> page = more ? rows.subList(0, size) : rows;
    JsonArrayBuilder items = Jsonp.P.createArrayBuilder();
    page.forEach(r -> items.add(Wire.instance(r)));
    JsonObjectBuilder info = Jsonp.P.createObjectBuilder().add("per_page", size)
        .add("count", page.size());
    if (more) {
      InstanceRecord last = page.get(page.size() - 1);
      info.add("cursor", new Params.Cursor(last.createdAt(), last.uid()).encode());
    }
    return Envelope.ok(items.build(), info.build());
  }

  @GET
  @Path("{id}")
  public Response details(@PathParam("name") String workflow, @PathParam("id") String id) {
    return Envelope.okJson(Wire.details(engine.view(workflow, id)));
  }

  @PATCH
  @Path("{id}/status")
  public Response status(@PathParam("name") String workflow, @PathParam("id") String id,
      String body) {
    JsonObject o = Bodies.object(body, STATUS_FIELDS);
    String action = Bodies.string(o, "status");
    if (action == null) {
      throw ApiError.invalidBody("field 'status' is required: pause, resume, terminate or restart");
    }
    if (o.containsKey("from") && !action.equals("restart")) {
      throw ApiError.invalidBody("field 'from' is only allowed with status restart");
    }
    // wrangler's terminate --rollback: run the compensations of the completed steps first
    JsonValue rollbackField = o.get("rollback");
    if (rollbackField != null && rollbackField != JsonValue.NULL
        && rollbackField != JsonValue.TRUE && rollbackField != JsonValue.FALSE) {
      throw ApiError.invalidBody("field 'rollback' must be a boolean, got "
          + Bodies.kind(rollbackField));
    }
    boolean rollback = rollbackField == JsonValue.TRUE;
    if (rollback && !action.equals("terminate")) {
      throw ApiError.invalidBody("field 'rollback' is only allowed with status terminate");
    }
    WorkflowInstance i = client(workflow).get(id);
    switch (action) {
      case "pause" -> i.pause();
      case "resume" -> i.resume();
      case "terminate" -> i.terminate(rollback);
      case "restart" -> {
        JsonValue from = o.get("from");
        if (from == null || from == JsonValue.NULL) {
          i.restart();
        } else {
          JsonObject f = Bodies.object(from, "field 'from'", FROM_FIELDS);
          String name = Bodies.string(f, "name");
          Integer count = Bodies.integer(f, "count");
          i.restart(new RestartFrom(name, count == null ? 1 : count, Bodies.string(f, "type")));
        }
      }
      default -> throw ApiError.invalidBody("field 'status' must be pause, resume, terminate or"
          + " restart, got '" + action + "'");
    }
    // a rollback runs on its own, maybe done by now: the answer is the status the request set
    String now = rollback ? "rollingBack" : engine.view(workflow, id).instance().status();
    return Envelope.ok(Jsonp.P.createObjectBuilder().add("status", now)
        .add("timestamp", Instant.ofEpochMilli(engine.clock().millis()).toString()).build());
  }

  /** The body is the payload itself, any JSON; an empty body sends null. */
  @POST
  @Path("{id}/events/{type}")
  public Response sendEvent(@PathParam("name") String workflow, @PathParam("id") String id,
      @PathParam("type") String type, String body) {
    Object payload = Bodies.toJava(Bodies.parse(body));
    client(workflow).get(id).sendEvent(type, payload);
    return Envelope.ok(JsonValue.NULL);
  }

  @POST
  @Path("batch/delete")
  public Response delete(@PathParam("name") String workflow, String body) {
    JsonObject o = Bodies.object(body, Set.of("instances"));
    JsonArray ids = Bodies.array(o.get("instances"), "field 'instances'");
    if (ids.isEmpty() || ids.size() > Limits.MAX_BATCH) {
      throw ApiError.invalidBody("field 'instances' holds 1 to " + Limits.MAX_BATCH
          + " ids, got " + ids.size());
    }
    List<String> list = new ArrayList<>();
    for (JsonValue v : ids) {
      if (!(v instanceof JsonString s)) {
        throw ApiError.invalidBody("field 'instances' must hold strings, got " + Bodies.kind(v));
      }
      list.add(s.getString());
    }
    DeleteResult result = client(workflow).deleteBatch(list);
    JsonArrayBuilder deleted = Jsonp.P.createArrayBuilder();
    result.deleted().forEach(id -> deleted.add(Jsonp.P.createObjectBuilder().add("id", id)));
    JsonArrayBuilder errors = Jsonp.P.createArrayBuilder();
    for (DeleteResult.Error e : result.errors()) {
      ApiError code = ApiExceptionMappers.EngineErrors.of(new WorkflowException(e.reason(),
          e.message()));
      errors.add(Jsonp.P.createObjectBuilder().add("id", e.id()).add("code", code.code())
          .add("message", e.message()));
    }
    return Envelope.ok(Jsonp.P.createObjectBuilder().add("deleted", deleted).add("errors", errors)
        .build());
  }

  /** Terminates all unfinished instances, or those with ?status=. */
  @PUT
  @Path("terminate")
  public Response terminateAll(@PathParam("name") String workflow,
      @QueryParam("status") String status) {
    String st = Params.status(status);
    int n = engine.terminateAll(workflow, st);
    return Envelope.ok(Jsonp.P.createObjectBuilder().add("status", "ok").add("terminated", n).build());
  }

  private WorkflowClient<Object> client(String workflow) {
    return engine.client(workflow);
  }
}
