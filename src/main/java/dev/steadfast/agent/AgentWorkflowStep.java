package dev.steadfast.agent;

import dev.steadfast.workflow.ReceivedEvent;
import dev.steadfast.workflow.Rollback;
import dev.steadfast.workflow.StepConfig;
import dev.steadfast.workflow.TypeRef;
import dev.steadfast.workflow.WorkflowStep;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Logger;

/**
 * The step API of an {@link AgentWorkflow} run: every {@link WorkflowStep} operation, plus the
 * link to the agent instance that started the run.
 *
 * <ul>
 *   <li>Not durable (repeated when {@code run} is replayed): {@link #reportProgress},
 *       {@link #broadcastToClients}, and calls through {@link #agent()} made outside a step.
 *   <li>Durable, each exactly once per run however often {@code run} replays and across
 *       crashes: {@link #reportComplete}, {@link #reportError}, {@link #sendEvent},
 *       {@link #updateAgentState}, {@link #mergeAgentState}, {@link #resetAgentState}. Each is a
 *       step whose journal row commits in one transaction with the agent state change and the
 *       tracking-row update it makes. See docs/agent-workflows.md for what the agent's callback
 *       methods are guaranteed.
 * </ul>
 *
 * <p>One object per run: it is handed to {@code run} and must not outlive it.
 *
 * @param <A> the agent class
 * @param <PROGRESS> the progress type ({@link DefaultProgress} unless the workflow declares one)
 */
public final class AgentWorkflowStep<A extends Agent<?>, PROGRESS> implements WorkflowStep {
  private static final Logger LOG = Logger.getLogger(AgentWorkflowStep.class.getName());

  /** The agent instance that started a run, and the name it started the workflow under. */
  public record Origin(String agent, String name, String workflowName) {}

  /** The three durable state helpers. */
  public enum StateChange {
    REPLACE,
    MERGE,
    RESET
  }

  /** How the step reaches the agent runtime (implemented by the runtime). */
  public interface Bridge {
    /** Delivers progress to the agent now (no step, no transaction). */
    void progress(Origin origin, String instanceId, Object progress);

    /** Sends {@code message} to every client of the agent. */
    void broadcast(Origin origin, String message);

    /** A durable report: must run inside a step; commits with the step's journal row. */
    void report(Origin origin, String instanceId, WorkflowCallback.Type type, Object value);

    /** A durable state change: must run inside a step; commits with the step's journal row. */
    void changeState(Origin origin, StateChange change, Object value);

    AgentHandle<?> handle(Origin origin);
  }

  private final WorkflowStep step;
  private final Bridge bridge;
  private final Origin origin;
  private final String instanceId;
  private final String workflowName;
  private volatile boolean completeReported;
  private volatile boolean errorReported;

  AgentWorkflowStep(WorkflowStep step, Bridge bridge, Origin origin, String instanceId,
      String workflowName) {
    this.step = step;
    this.bridge = bridge;
    this.origin = origin;
    this.instanceId = instanceId;
    this.workflowName = workflowName;
  }

  // ------------------------------------------------------------------ identity

  /** The instance id. */
  public String instanceId() {
    return instanceId;
  }

  /** The name or binding the agent started this workflow under. */
  public String workflowName() {
    return workflowName;
  }

  /** The kebab-case class name of the agent that started the run, or null if none did. */
  public String agentName() {
    return origin == null ? null : origin.agent();
  }

  /** The name of the agent instance that started the run, or null if none did. */
  public String agentInstanceName() {
    return origin == null ? null : origin.name();
  }

  /**
   * A handle on the agent instance that started the run: calls run inside it, serialized with its
   * other work. Call it inside {@code step.run} so the call is made once.
   *
   * @throws IllegalStateException if no agent started this run (e.g. it was created by the API)
   */
  @SuppressWarnings("unchecked")
  public AgentHandle<A> agent() {
    return (AgentHandle<A>) bridge().handle(origin());
  }

  // ------------------------------------------------------------------ not durable

  /** Reports progress to the agent's {@code onWorkflowProgress}; repeated on replay. */
  public void reportProgress(PROGRESS progress) {
    if (origin == null) {
      return;
    }
    Object value = progress instanceof DefaultProgress d ? d.toMap() : progress;
    bridge().progress(origin, instanceId, value);
  }

  /** Sends {@code message} (a String as is, anything else as JSON) to every client of the agent. */
  public void broadcastToClients(Object message) {
    if (origin == null) {
      return;
    }
    bridge().broadcast(origin, message instanceof String s ? s : AgentWorkflow.JSON.write(message));
  }

  // ------------------------------------------------------------------ durable

  /**
   * Reports the run's result to the agent ({@code onWorkflowComplete}) once. A run that returns
   * without calling it reports its return value. A second call in the same run is ignored.
   */
  public void reportComplete(Object result) {
    if (completeReported) {
      LOG.warning("workflow " + workflowName + "/" + instanceId
          + " reported completion twice; the second report is ignored");
      return;
    }
    completeReported = true;
    durable("__agent_complete", () -> bridge().report(origin, instanceId,
        WorkflowCallback.Type.COMPLETE, result));
  }

  /** Reports an error to the agent ({@code onWorkflowError}); the run goes on. */
  public void reportError(String message) {
    errorReported = true;
    durable("__agent_error", () -> bridge().report(origin, instanceId,
        WorkflowCallback.Type.ERROR, message));
  }

  /** Reports an exception's message as an error. */
  public void reportError(Throwable error) {
    reportError(String.valueOf(error.getMessage()));
  }

  /** Sends a custom event to the agent ({@code onWorkflowEvent}). */
  public void sendEvent(Object event) {
    durable("__agent_event", () -> bridge().report(origin, instanceId,
        WorkflowCallback.Type.EVENT, event));
  }

  /** Replaces the agent's state and broadcasts it to its clients. */
  public void updateAgentState(Object state) {
    durable("__agent_state", () -> bridge().changeState(origin, StateChange.REPLACE, state));
  }

  /** Merges top-level fields into the agent's state (shallow) and broadcasts it. */
  public void mergeAgentState(Map<String, ?> partial) {
    durable("__agent_state", () -> bridge().changeState(origin, StateChange.MERGE, partial));
  }

  /** Resets the agent's state to its {@code initialState()} and broadcasts it. */
  public void resetAgentState() {
    durable("__agent_state", () -> bridge().changeState(origin, StateChange.RESET, null));
  }

  private void durable(String name, Runnable action) {
    if (origin == null) {
      LOG.fine(() -> "workflow " + instanceId + " was not started by an agent: " + name
          + " does nothing");
      return;
    }
    step.run(name, Boolean.class, () -> {
      action.run();
      return Boolean.TRUE;
    });
  }

  boolean completeReported() {
    return completeReported;
  }

  boolean errorReported() {
    return errorReported;
  }

  // ------------------------------------------------------------------ approvals

  /**
   * Waits up to {@code timeout} for the agent's {@code approveWorkflow} or {@code rejectWorkflow}
   * (an event of type {@code approval} in a wait named {@code wait-for-approval}).
   *
   * @return the approval's metadata, read as {@code metadataType} (null if none was given)
   * @throws WorkflowRejectedError on a rejection, after reporting it to the agent once
   * @throws dev.steadfast.workflow.EventTimeoutException when nobody decided in time
   */
  public <T> T waitForApproval(Duration timeout, Class<T> metadataType) {
    return waitForApproval("wait-for-approval", "approval", timeout, metadataType);
  }

  /** {@link #waitForApproval(Duration, Class)} with a wait name and an event type of your own. */
  public <T> T waitForApproval(String stepName, String eventType, Duration timeout,
      Class<T> metadataType) {
    ReceivedEvent<Object> e = step.waitForEvent(stepName, eventType, timeout, Object.class);
    Map<?, ?> payload = e.payload() instanceof Map<?, ?> m ? m : Map.of();
    if (!Boolean.TRUE.equals(payload.get("approved"))) {
      Object reason = payload.get("reason");
      WorkflowRejectedError rejected = new WorkflowRejectedError(
          reason == null ? null : reason.toString());
      reportError(rejected.getMessage());
      throw rejected;
    }
    Object metadata = payload.get("metadata");
    if (metadata == null || metadataType == Object.class) {
      return metadataType.cast(metadata);
    }
    return metadataType.cast(AgentWorkflow.JSON.read(AgentWorkflow.JSON.write(metadata),
        metadataType));
  }

  // ------------------------------------------------------------------ WorkflowStep

  @Override
  public <T> T run(String name, StepConfig config, TypeRef<T> type, Callable<T> callable) {
    return step.run(name, config, type, callable);
  }

  @Override
  public <T> T run(String name, StepConfig config, TypeRef<T> type, Callable<T> callable,
      Rollback<T> rollback, StepConfig rollbackConfig) {
    return step.run(name, config, type, callable, rollback, rollbackConfig);
  }

  @Override
  public void sleep(String name, Duration duration) {
    step.sleep(name, duration);
  }

  @Override
  public void sleepUntil(String name, Instant instant) {
    step.sleepUntil(name, instant);
  }

  @Override
  public <T> ReceivedEvent<T> waitForEvent(String name, String type, Duration timeout,
      TypeRef<T> payloadType) {
    return step.waitForEvent(name, type, timeout, payloadType);
  }

  @Override
  public <T> List<T> all(List<Callable<T>> branches) {
    return step.all(branches);
  }

  @Override
  public <T> T race(String name, TypeRef<T> type, List<Callable<T>> branches) {
    return step.race(name, type, branches);
  }

  @Override
  public <T> T any(String name, TypeRef<T> type, List<Callable<T>> branches) {
    return step.any(name, type, branches);
  }

  private Origin origin() {
    if (origin == null) {
      throw new IllegalStateException("workflow instance " + instanceId
          + " was not started by an agent (runWorkflow)");
    }
    return origin;
  }

  private Bridge bridge() {
    if (bridge == null) {
      throw new IllegalStateException("the agent runtime is not started");
    }
    return bridge;
  }
}
