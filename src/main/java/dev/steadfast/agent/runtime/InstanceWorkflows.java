package dev.steadfast.agent.runtime;

import dev.steadfast.agent.AgentWorkflow;
import dev.steadfast.agent.AgentWorkflowOps;
import dev.steadfast.agent.RunWorkflowOptions;
import dev.steadfast.agent.TrackedWorkflow;
import dev.steadfast.agent.WorkflowPage;
import dev.steadfast.agent.WorkflowQuery;
import dev.steadfast.workflow.InstanceStatus;
import dev.steadfast.workflow.RestartFrom;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.WorkflowDefinition;
import dev.steadfast.workflow.store.JournalWriter.Stmt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** The workflows of one agent instance: runWorkflow, control, and the tracking table. */
final class InstanceWorkflows implements AgentWorkflowOps {
  private final AgentWorkflows w;
  private final String agent;
  private final String name;

  InstanceWorkflows(AgentWorkflows w, String agent, String name) {
    this.w = w;
    this.agent = agent;
    this.name = name;
  }

  private String agent() {
    return agent;
  }

  private String name() {
    return name;
  }

  @Override
  @SuppressWarnings("unchecked")
  public String runWorkflow(String workflow, Object params, RunWorkflowOptions options) {
    RunWorkflowOptions o = options == null ? new RunWorkflowOptions(null, null, null) : options;
    WorkflowDefinition def = w.definition(workflow);
    String id = o.id() != null ? o.id() : "wf_" + UUID.randomUUID();
    String binding = o.agentBinding() == null ? agent() : agentKebab(o.agentBinding());
    Map<String, Object> merged = new LinkedHashMap<>();
    if (params != null) {
      String text = w.engine.json().write(params);
      if (!text.startsWith("{")) {
        throw new IllegalArgumentException("runWorkflow params must serialize to a JSON object"
            + " (a record, a class or a map), got " + text);
      }
      merged.putAll((Map<String, Object>) w.engine.json().read(text, Map.class));
    }
    for (String k : AgentWorkflow.RESERVED_KEYS) {
      if (merged.containsKey(k)) {
        throw new IllegalArgumentException("runWorkflow params may not use the reserved key " + k);
      }
    }
    merged.put(AgentWorkflow.AGENT_BINDING_KEY, binding);
    merged.put(AgentWorkflow.AGENT_NAME_KEY, name());
    merged.put(AgentWorkflow.WORKFLOW_NAME_KEY, workflow);
    if (w.tracking.exists(binding, name(), id)) {
      throw alreadyTracked(id);
    }
    List<Stmt> extra = w.tracking.insert(binding, name(), id, workflow, def.name(), o.metadata(),
        w.now());
    try {
      w.engine.create(def.name(), id, merged, o.retention(), extra);
    } catch (WorkflowException e) {
      if (e.reason() == WorkflowException.Reason.ALREADY_EXISTS
          && w.tracking.exists(binding, name(), id)) {
        throw alreadyTracked(id);
      }
      throw e;
    }
    return id;
  }

  private static IllegalArgumentException alreadyTracked(String id) {
    return new IllegalArgumentException("Workflow with ID \"" + id + "\" is already being tracked");
  }

  private String agentKebab(String binding) {
    if (w.runtime.knows(binding)) {
      return binding;
    }
    return w.runtime.types().values().stream()
        .filter(t -> t.type().getSimpleName().equals(binding)).map(AgentType::kebab).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("agentBinding '" + binding
            + "' is not a deployed agent"));
  }

  /** The tracked row, or the spec's error. */
  private WorkflowTracking.Row require(String workflowId) {
    WorkflowTracking.Row r = w.tracking.find(agent(), name(), workflowId);
    if (r == null) {
      throw new IllegalArgumentException("Workflow " + workflowId + " not found in tracking table");
    }
    return r;
  }

  private WorkflowInstance instance(String workflowId) {
    return w.engine.client(require(workflowId).engineWorkflow()).get(workflowId);
  }

  @Override
  public void sendWorkflowEvent(String workflowId, String type, Object payload) {
    instance(workflowId).sendEvent(type, payload);
  }

  @Override
  public void terminate(String workflowId) {
    instance(workflowId).terminate();
  }

  @Override
  public void pause(String workflowId) {
    instance(workflowId).pause();
  }

  @Override
  public void resume(String workflowId) {
    instance(workflowId).resume();
  }

  @Override
  public void restart(String workflowId, RestartFrom from, boolean resetTracking) {
    WorkflowInstance i = instance(workflowId);
    if (from == null) {
      i.restart();
    } else {
      i.restart(from);
    }
    if (resetTracking) {
      w.tracking.reset(agent(), name(), workflowId, w.now());
    }
  }

  @Override
  public InstanceStatus status(String workflowId) {
    return instance(workflowId).status();
  }

  @Override
  public TrackedWorkflow get(String workflowId) {
    WorkflowTracking.Row r = w.tracking.find(agent(), name(), workflowId);
    return r == null ? null : r.workflow();
  }

  @Override
  public WorkflowPage list(WorkflowQuery q) {
    if (q.limit() < 1 || q.limit() > WorkflowQuery.MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1 to " + WorkflowQuery.MAX_LIMIT
          + ", got " + q.limit());
    }
    String fingerprint = fingerprint(q);
    TrackingCursor.Position after = q.cursor() == null ? null
        : w.cursors.decode(q.cursor(), fingerprint);
    List<WorkflowTracking.Row> rows = w.tracking.page(agent(), name(), q,
        after == null ? null : after.createdAt(), after == null ? null : after.workflowId(),
        q.limit() + 1);
    String next = null;
    if (rows.size() > q.limit()) {
      rows = rows.subList(0, q.limit());
      TrackedWorkflow last = rows.get(rows.size() - 1).workflow();
      next = w.cursors.encode(new TrackingCursor.Position(last.createdAt().toEpochMilli(),
          last.workflowId()), fingerprint);
    }
    long total = w.tracking.count(agent(), name(), q);
    return new WorkflowPage(rows.stream().map(WorkflowTracking.Row::workflow).toList(), total,
        next);
  }

  /** Everything but the cursor and limit: a cursor is only valid for the query it came from. */
  private String fingerprint(WorkflowQuery q) {
    return String.join("\n", agent(), name(), String.valueOf(q.statuses()),
        String.valueOf(q.workflowName()), w.engine.json().write(new TreeMap<>(q.metadata())),
        String.valueOf(q.createdBefore()), String.valueOf(q.createdAfter()),
        String.valueOf(q.isAscending()));
  }

  @Override
  public boolean delete(String workflowId, boolean deleteInstance) {
    WorkflowTracking.Row r = w.tracking.find(agent(), name(), workflowId);
    if (r == null) {
      return false;
    }
    if (deleteInstance) {
      deleteInstances(List.of(r));
    }
    return w.tracking.delete(agent(), name(), List.of(workflowId)) > 0;
  }

  @Override
  public int deleteAll(WorkflowQuery q, boolean deleteInstances) {
    List<WorkflowTracking.Row> rows = w.tracking.matching(agent(), name(), q);
    if (deleteInstances) {
      deleteInstances(rows);
    }
    int n = 0;
    for (int i = 0; i < rows.size(); i += 500) {
      n += w.tracking.delete(agent(), name(), rows.subList(i, Math.min(rows.size(), i + 500))
          .stream().map(r -> r.workflow().workflowId()).toList());
    }
    return n;
  }

  private void deleteInstances(List<WorkflowTracking.Row> rows) {
    Map<String, List<String>> byWorkflow = new LinkedHashMap<>();
    for (WorkflowTracking.Row r : rows) {
      byWorkflow.computeIfAbsent(r.engineWorkflow(), k -> new ArrayList<>())
          .add(r.workflow().workflowId());
    }
    byWorkflow.forEach((wf, ids) -> {
      if (w.engine.registry().find(wf) != null) {
        w.engine.deleteInstances(wf, ids);
      }
    });
  }

  @Override
  public int migrateBinding(String oldName, String newName) {
    w.definition(newName); // the new name must be deployed
    return w.tracking.migrate(agent(), name(), oldName, newName, w.now());
  }
}
