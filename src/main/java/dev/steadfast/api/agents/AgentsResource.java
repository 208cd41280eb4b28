package dev.steadfast.api.agents;

import dev.steadfast.api.ApiError;
import dev.steadfast.api.Envelope;

import dev.steadfast.agent.CallableInfo;
import dev.steadfast.agent.TrackedWorkflow;
import dev.steadfast.agent.WorkflowPage;
import dev.steadfast.agent.WorkflowQuery;
import dev.steadfast.agent.runtime.AgentInstance;
import dev.steadfast.agent.runtime.AgentRegistry;
import dev.steadfast.agent.runtime.AgentRuntime;
import dev.steadfast.agent.runtime.AgentType;
import dev.steadfast.agent.store.AgentEntity;
import dev.steadfast.agent.store.AgentStore;
import dev.steadfast.agent.store.QueueEntity;
import dev.steadfast.agent.store.ScheduleEntity;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;

/**
 * Admin view of agents. Reads the tables, so listing never activates an instance; connection
 * counts come from the live registry. Authentication is the v4 API's (applied by the lead's
 * filter once branches merge); this resource does not depend on the workflows API classes.
 */
@Path("accounts/{account_id}/agents")
@Produces(MediaType.APPLICATION_JSON)
@RequestScoped
public class AgentsResource {
  private static final JsonProvider JSON = JsonProvider.provider();
  private static final dev.steadfast.workflow.engine.Json METADATA_JSON =
      new dev.steadfast.workflow.engine.Json();

  @EJB AgentRegistry registry;

  @GET
  public Response classes() {
    AgentRuntime rt = registry.runtime();
    if (rt == null) {
      return Envelope.error(503, ApiError.UNAVAILABLE, "agents are starting");
    }
    JsonArrayBuilder out = JSON.createArrayBuilder();
    for (AgentType t : rt.types().values()) {
      JsonArrayBuilder methods = JSON.createArrayBuilder();
      for (CallableInfo c : t.callableInfos().values()) {
        methods.add(JSON.createObjectBuilder().add("name", c.name())
            .add("description", c.description()).add("streaming", c.streaming()));
      }
      out.add(JSON.createObjectBuilder().add("name", t.kebab())
          .add("class_name", t.type().getName()).add("callable_methods", methods));
    }
    return Envelope.ok(out.build());
  }

  @GET
  @Path("{agent}/instances")
  public Response instances(@PathParam("agent") String agent,
      @QueryParam("limit") @DefaultValue("100") int limit) {
    AgentRuntime rt = registry.runtime();
    if (rt == null || !rt.knows(agent)) {
      return unknown(agent);
    }
    JsonArrayBuilder out = JSON.createArrayBuilder();
    for (AgentEntity e : rt.store().instances(agent, Math.max(1, Math.min(limit, 1000)))) {
      out.add(summary(rt, e));
    }
    return Envelope.ok(out.build());
  }

  @GET
  @Path("{agent}/instances/{name}")
  public Response instance(@PathParam("agent") String agent, @PathParam("name") String name) {
    AgentRuntime rt = registry.runtime();
    if (rt == null || !rt.knows(agent)) {
      return unknown(agent);
    }
    AgentStore store = rt.store();
    AgentEntity e = store.find(agent, name);
    if (e == null) {
      return Envelope.error(404, ApiError.AGENT_NOT_FOUND, "Agent instance " + agent + "/" + name
          + " not found");
    }
    JsonArrayBuilder schedules = JSON.createArrayBuilder();
    for (ScheduleEntity s : store.schedules(agent, name)) {
      JsonObjectBuilder b = JSON.createObjectBuilder().add("id", s.id).add("callback", s.callback)
          .add("type", s.type).add("time", s.dueAt / 1000)
          .add("payload", json(s.payload)).add("running", s.runningSince != null);
      if (s.cron != null) {
        b.add("cron", s.cron);
      }
      if (s.intervalSeconds != null) {
        b.add("intervalSeconds", s.intervalSeconds);
      }
      schedules.add(b);
    }
    JsonArrayBuilder queue = JSON.createArrayBuilder();
    for (QueueEntity q : store.queue(agent, name, 1000)) {
      queue.add(JSON.createObjectBuilder().add("id", q.id).add("callback", q.callback)
          .add("payload", json(q.payload)).add("created_at", q.createdAt));
    }
    WorkflowPage workflows = rt.trackedWorkflows(agent, name, WorkflowQuery.all().limit(100));
    return Envelope.ok(summary(rt, e)
        .add("state", e.state == null ? JsonValue.NULL : json(e.state))
        .add("state_set", e.state != null)
        .add("schedule_list", schedules).add("queue_list", queue)
        .add("workflows", workflows.total())
        .add("workflow_list", workflowList(workflows)).build());
  }

  /**
   * The workflows an instance started, newest first, paged like the agent's getWorkflows:
   * {@code ?status=running&status=waiting&workflow_name=etl&limit=100&cursor=...}.
   */
  @GET
  @Path("{agent}/instances/{name}/workflows")
  public Response workflows(@PathParam("agent") String agent, @PathParam("name") String name,
      @QueryParam("status") java.util.List<String> status,
      @QueryParam("workflow_name") String workflowName,
      @QueryParam("limit") @DefaultValue("50") int limit, @QueryParam("cursor") String cursor) {
    AgentRuntime rt = registry.runtime();
    if (rt == null || !rt.knows(agent)) {
      return unknown(agent);
    }
    WorkflowQuery q = WorkflowQuery.all().status(status.toArray(String[]::new))
        .workflowName(workflowName).limit(limit).cursor(cursor);
    WorkflowPage page;
    try {
      page = rt.trackedWorkflows(agent, name, q);
    } catch (IllegalArgumentException bad) {
      return Envelope.error(400, ApiError.INVALID_PARAMETER, bad.getMessage());
    }
    JsonObjectBuilder out = JSON.createObjectBuilder().add("workflows", workflowList(page))
        .add("total", page.total());
    out.add("next_cursor", page.nextCursor() == null ? JsonValue.NULL
        : JSON.createValue(page.nextCursor()));
    return Envelope.ok(out.build());
  }

  private static JsonArrayBuilder workflowList(WorkflowPage page) {
    JsonArrayBuilder list = JSON.createArrayBuilder();
    for (TrackedWorkflow w : page.workflows()) {
      JsonObjectBuilder b = JSON.createObjectBuilder().add("workflow_id", w.workflowId())
          .add("workflow_name", w.workflowName()).add("status", w.status())
          .add("metadata", w.metadata() == null ? JsonValue.NULL
              : json(METADATA_JSON.write(w.metadata())))
          .add("created_at", w.createdAt().toEpochMilli())
          .add("updated_at", w.updatedAt().toEpochMilli());
      b.add("completed_at", w.completedAt() == null ? JsonValue.NULL
          : JSON.createValue(w.completedAt().toEpochMilli()));
      if (w.errorName() != null) {
        b.add("error", JSON.createObjectBuilder().add("name", w.errorName())
            .add("message", String.valueOf(w.errorMessage())));
      }
      list.add(b);
    }
    return list;
  }

  private static JsonObjectBuilder summary(AgentRuntime rt, AgentEntity e) {
    AgentInstance live = rt.liveInstance(e.agent, e.name);
    return JSON.createObjectBuilder().add("agent", e.agent).add("name", e.name)
        .add("state_size", e.state == null ? 0 : e.state.getBytes(StandardCharsets.UTF_8).length)
        .add("live", live != null)
        .add("connections", live == null ? 0 : live.connectionCount())
        .add("schedules", rt.store().countSchedules(e.agent, e.name))
        .add("queue", rt.store().countQueue(e.agent, e.name))
        .add("created_at", e.createdAt).add("updated_at", e.updatedAt);
  }

  private static JsonValue json(String text) {
    return text == null ? JsonValue.NULL : dev.steadfast.agent.runtime.Codec.parse(text);
  }

  private static Response unknown(String agent) {
    return Envelope.error(404, ApiError.AGENT_NOT_FOUND, "Agent class " + agent + " not found");
  }
}
