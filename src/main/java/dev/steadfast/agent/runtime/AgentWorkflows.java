package dev.steadfast.agent.runtime;

import dev.steadfast.agent.AgentHandle;
import dev.steadfast.agent.AgentWorkflowStep;
import dev.steadfast.agent.AgentWorkflowStep.Origin;
import dev.steadfast.agent.AgentWorkflowStep.StateChange;
import dev.steadfast.agent.WorkflowCallback;
import dev.steadfast.agent.Agent;
import dev.steadfast.workflow.engine.EngineEvent;
import dev.steadfast.workflow.engine.RunElsewhere;
import dev.steadfast.workflow.engine.StepWrites;
import dev.steadfast.workflow.engine.WorkflowDefinition;
import dev.steadfast.workflow.engine.WorkflowEngine;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Agents and workflows, joined: what an agent instance does with workflows ({@link
 * InstanceWorkflows}), and the bridge workflows report through. Reports run inside the agent
 * instance like its RPCs (activating it when it is not in memory); the durable ones commit their
 * tracking-row update and the agent's state changes with the reporting step's journal row.
 */
final class AgentWorkflows implements AgentWorkflowStep.Bridge {
  private static final Logger LOG = Logger.getLogger(AgentWorkflows.class.getName());
  final AgentRuntime runtime;
  final WorkflowEngine engine;
  final WorkflowTracking tracking;
  final TrackingCursor cursors;

  AgentWorkflows(AgentRuntime runtime, WorkflowEngine engine, DataSource db) {
    this.runtime = runtime;
    this.engine = engine;
    this.tracking = new WorkflowTracking(db, engine.json());
    this.cursors = TrackingCursor.of(db);
  }

  InstanceWorkflows ops(AgentInstance in) {
    return new InstanceWorkflows(this, in.agentName(), in.name());
  }

  /** Warns about tracked rows whose workflow is no longer deployed (renamed or removed). */
  void checkBindings() {
    for (String[] r : tracking.workflowNames()) {
      if (engine.registry().find(r[1]) == null && engine.registry().find(r[2]) == null) {
        LOG.warning("agent '" + r[0] + "' tracks workflows of '" + r[2] + "', which is no longer"
            + " deployed; if it was renamed, call migrateWorkflowBinding(\"" + r[2]
            + "\", \"<new name>\") in the agent (e.g. in onStart)");
      }
    }
  }

  /** The deployed workflow for a name or binding (WORKFLOW_NOT_FOUND otherwise). */
  WorkflowDefinition definition(String nameOrBinding) {
    return engine.registry().require(nameOrBinding);
  }

  long now() {
    return runtime.clock().millis();
  }

  // ------------------------------------------------------------------ errors the engine ended

  /**
   * Tells each agent tracking the instance of an error the engine ended it with, when the run's
   * own report did not (a lost attempt, the step limit, an Error out of {@code run}).
   */
  void onEngineEvent(EngineEvent e) {
    if (e.type() == EngineEvent.Type.WORKFLOW_FAILURE) {
      deliver(tracking.unreported(e.workflow(), e.instanceId()));
    }
  }

  /** Delivers up to {@code limit} unreported errors of any instance; how many were delivered. */
  int sweepUnreported(int limit) {
    return deliver(tracking.unreported(limit));
  }

  /**
   * Calls {@code onWorkflowError} inside each row's agent instance, then marks the row errored:
   * at least once (a crash between the two repeats the callback on the next sweep), and never
   * twice from this server nor from two servers (the instance lock and its ownership lease). A
   * row whose agent lives on another server, or is not deployed here, is left to that server.
   */
  private int deliver(List<WorkflowTracking.Unreported> rows) {
    int delivered = 0;
    for (WorkflowTracking.Unreported u : rows) {
      if (!runtime.types().containsKey(u.agent())) {
        continue;
      }
      AgentInstance in;
      try {
        in = runtime.instance(u.agent(), u.name());
      } catch (AgentElsewhereException elsewhere) {
        continue;
      }
      in.busy();
      try {
        if (in.exclusive(() -> deliverOne(in, u))) {
          delivered++;
        }
      } finally {
        in.done();
      }
    }
    return delivered;
  }

  private boolean deliverOne(AgentInstance in, WorkflowTracking.Unreported u) {
    WorkflowTracking.Unreported still = tracking.unreported(u.agent(), u.name(), u.workflowId());
    if (still == null) {
      return false; // reported meanwhile (by the run, or by another sweep)
    }
    String message = still.errorMessage() != null ? still.errorMessage()
        : String.valueOf(still.errorName());
    WorkflowCallback cb = new WorkflowCallback(WorkflowCallback.Type.ERROR, still.workflowName(),
        still.workflowId(), Instant.ofEpochMilli(now()), message);
    in.hook(null, () -> in.agent().onWorkflowCallback(cb));
    return tracking.markReported(still, now());
  }

  // ------------------------------------------------------------------ the bridge

  /**
   * The agent instance a workflow reports to, on this server. When it is live on another server
   * of the database, the turn moves there ({@link RunElsewhere}) instead of failing: the step
   * that needed it runs again on that server, uncounted.
   */
  private AgentInstance local(Origin origin) {
    try {
      return runtime.owned(origin.agent(), origin.name());
    } catch (AgentElsewhereException e) {
      throw new RunElsewhere(e.server(), e.getMessage());
    }
  }

  @Override
  public void progress(Origin origin, String instanceId, Object progress) {
    deliver(origin, new WorkflowCallback(WorkflowCallback.Type.PROGRESS, origin.workflowName(),
        instanceId, Instant.ofEpochMilli(now()), progress));
  }

  private void deliver(Origin origin, WorkflowCallback cb) {
    AgentInstance in = local(origin);
    in.busy();
    try {
      in.hook(null, () -> in.agent().onWorkflowCallback(cb));
    } finally {
      in.done();
    }
  }

  @Override
  public void broadcast(Origin origin, String message) {
    local(origin).broadcast(message, List.of());
  }

  @Override
  public void report(Origin origin, String instanceId, WorkflowCallback.Type type, Object value) {
    AgentInstance in = local(origin);
    long now = now();
    WorkflowCallback cb = new WorkflowCallback(type, origin.workflowName(), instanceId,
        Instant.ofEpochMilli(now), value);
    in.busy();
    try {
      in.joinStep(stmts -> {
        if (type == WorkflowCallback.Type.COMPLETE) {
          stmts.add(WorkflowTracking.report(origin.agent(), origin.name(), instanceId, "complete",
              null, null, now, StepWrites.guardParams()));
        } else if (type == WorkflowCallback.Type.ERROR) {
          stmts.add(WorkflowTracking.report(origin.agent(), origin.name(), instanceId, "errored",
              "WorkflowError", String.valueOf(value), now, StepWrites.guardParams()));
        }
        in.hook(null, () -> in.agent().onWorkflowCallback(cb));
        if (WorkflowTracking.faultInReport != null) {
          stmts.add(WorkflowTracking.faultInReport);
        }
      });
    } finally {
      in.done();
    }
  }

  @Override
  public void changeState(Origin origin, StateChange change, Object value) {
    AgentInstance in = local(origin);
    in.busy();
    try {
      in.joinStep(stmts -> in.setState(next(in, change, value)));
    } finally {
      in.done();
    }
  }

  @SuppressWarnings("unchecked")
  private Object next(AgentInstance in, StateChange change, Object value) {
    Codec codec = runtime.codec();
    switch (change) {
      case RESET:
        return in.agent().initialState();
      case REPLACE:
        return value == null ? null : codec.read(codec.write(value), in.type().stateType());
      case MERGE:
        Object current = in.state();
        Map<String, Object> merged = new LinkedHashMap<>();
        if (current != null) {
          Object asMap = codec.read(codec.write(current), Map.class);
          if (!(asMap instanceof Map)) {
            throw new IllegalStateException("mergeAgentState needs an object state, the state of "
                + in.agentName() + "/" + in.name() + " is " + codec.write(current));
          }
          merged.putAll((Map<String, Object>) asMap);
        }
        if (value != null) {
          merged.putAll((Map<String, Object>) value);
        }
        return codec.read(codec.write(merged), in.type().stateType());
      default:
        throw new IllegalStateException(change.toString());
    }
  }

  @Override
  public AgentHandle<?> handle(Origin origin) {
    AgentHandle<Agent<?>> checked = new AgentHandles(runtime).handle(origin.agent(), origin.name());
    return new AgentHandle<Agent<?>>() {
      @Override
      public String agentName() {
        return checked.agentName();
      }

      @Override
      public String name() {
        return checked.name();
      }

      @Override
      public <R> R call(java.util.function.Function<? super Agent<?>, R> call) {
        try {
          return AgentHandles.callIn(local(origin), call);
        } catch (dev.steadfast.agent.store.OwnershipLostException lost) {
          // the lease went to another server between the check and the write: go there
          throw new RunElsewhere(lost.holder(), lost.getMessage());
        }
      }
    };
  }
}
