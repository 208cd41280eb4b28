package dev.steadfast.agent;

import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowStep;
import dev.steadfast.workflow.engine.Json;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A workflow started by an agent ({@link Agent#runWorkflow}) that reports back to it. Annotate it
 * {@link dev.steadfast.workflow.Workflow @Workflow} like any workflow and implement
 * {@link #run(WorkflowEvent, AgentWorkflowStep)}; the step gives the agent handle, progress,
 * broadcasts, approvals and the durable report and state helpers.
 *
 * <p>Beyond what {@code run} does itself: a run that returns without {@code reportComplete}
 * reports its return value as the completion, and an exception escaping {@code run} is reported
 * to the agent as an error (unless the run reported one already) before it fails the instance.
 * Each of these reports is a durable step, made once per run.
 *
 * @param <A> the agent class that starts it
 * @param <P> its params (without the agent's reserved keys)
 * @param <PROGRESS> what {@code reportProgress} takes ({@link DefaultProgress} by convention)
 * @param <R> its result
 */
public abstract class AgentWorkflow<A extends Agent<?>, P, PROGRESS, R>
    extends WorkflowEntrypoint<Object, R> {
  /** The params keys that carry the starting agent; {@code run} never sees them. */
  public static final String AGENT_NAME_KEY = "__agentName";
  public static final String AGENT_BINDING_KEY = "__agentBinding";
  public static final String WORKFLOW_NAME_KEY = "__workflowName";
  public static final Set<String> RESERVED_KEYS =
      Set.of(AGENT_NAME_KEY, AGENT_BINDING_KEY, WORKFLOW_NAME_KEY);

  static final Json JSON = new Json();
  private static final Map<Class<?>, Type> PARAMS_TYPES = new ConcurrentHashMap<>();

  /** The workflow's body, with the agent-aware step API. */
  public abstract R run(WorkflowEvent<P> event, AgentWorkflowStep<A, PROGRESS> step)
      throws Exception;

  @Override
  public final R run(WorkflowEvent<Object> event, WorkflowStep step) throws Exception {
    Map<String, Object> raw = new LinkedHashMap<>();
    if (event.payload() instanceof Map<?, ?> m) {
      m.forEach((k, v) -> raw.put(String.valueOf(k), v));
    }
    AgentWorkflowStep.Origin origin = null;
    if (raw.get(AGENT_BINDING_KEY) != null && raw.get(AGENT_NAME_KEY) != null) {
      origin = new AgentWorkflowStep.Origin(String.valueOf(raw.get(AGENT_BINDING_KEY)),
          String.valueOf(raw.get(AGENT_NAME_KEY)), String.valueOf(raw.get(WORKFLOW_NAME_KEY)));
    }
    RESERVED_KEYS.forEach(raw::remove);
    P payload = params(event.payload() == null ? null : raw);
    AgentWorkflowStep.Bridge bridge = null;
    if (origin != null) {
      var engine = dev.steadfast.workflow.engine.WorkflowEngine.of(step);
      bridge = engine != null ? engine.attachment(AgentWorkflowStep.Bridge.class) : null;
      if (bridge == null) {
        bridge = Agents.directory().workflowBridge();
      }
    }
    String name = origin != null ? origin.workflowName() : getClass().getSimpleName();
    AgentWorkflowStep<A, PROGRESS> s =
        new AgentWorkflowStep<>(step, bridge, origin, event.instanceId(), name);
    R result;
    try {
      WorkflowEvent<P> stripped =
          new WorkflowEvent<>(payload, event.timestamp(), event.instanceId());
      result = run(stripped, s);
    } catch (Exception e) {
      if (!s.errorReported()) {
        s.reportError(e);
      }
      throw e;
    }
    if (!s.completeReported()) {
      s.reportComplete(result);
    }
    return result;
  }

  @SuppressWarnings("unchecked")
  private P params(Map<String, Object> raw) {
    Type type = PARAMS_TYPES.computeIfAbsent(getClass(), AgentWorkflow::paramsType);
    if (raw == null) {
      return null;
    }
    if (type == Object.class) {
      return (P) raw;
    }
    return (P) JSON.read(JSON.write(raw), type);
  }

  /** Resolves P of AgentWorkflow<A, P, PROGRESS, R> through the class hierarchy. */
  static Type paramsType(Class<?> type) {
    Map<TypeVariable<?>, Type> bindings = new HashMap<>();
    Class<?> c = type;
    while (c != null && c != AgentWorkflow.class) {
      Type sup = c.getGenericSuperclass();
      if (!(sup instanceof ParameterizedType p)) {
        c = sup instanceof Class<?> raw ? raw : null;
        continue;
      }
      Class<?> raw = (Class<?>) p.getRawType();
      TypeVariable<?>[] vars = raw.getTypeParameters();
      Type[] actual = p.getActualTypeArguments();
      for (int i = 0; i < vars.length; i++) {
        Type a = actual[i];
        bindings.put(vars[i], a instanceof TypeVariable<?> tv ? bindings.getOrDefault(tv, Object.class) : a);
      }
      if (raw == AgentWorkflow.class) {
        return bindings.getOrDefault(vars[1], Object.class);
      }
      c = raw;
    }
    return Object.class;
  }
}
