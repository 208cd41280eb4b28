package dev.steadfast.agent;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.steadfast.workflow.InstanceStatus;
import dev.steadfast.workflow.RestartFrom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Base class of agents: one live object per (class, name), its state persisted and synchronized
 * to every connected client. Annotate subclasses with {@link AgentDefinition}; the runtime creates
 * them through CDI, so {@code @Inject} works.
 *
 * <p>Every call into one instance (hooks, callable methods, schedule and queue callbacks, HTTP)
 * runs under the instance's lock, one at a time: fields need no further synchronization. A
 * callable method that waits on I/O should return a {@link java.util.concurrent.CompletionStage}
 * so the instance is not held meanwhile.
 *
 * <p>Hooks are public so the runtime in another package can call them; they are not callable by
 * clients unless annotated {@link Callable}.
 *
 * @param <S> the state type, read and written as JSON (JSON-B)
 */
public abstract class Agent<S> {
  private static final Logger LOG = Logger.getLogger(Agent.class.getName());
  private AgentContext context;

  /** Called once by the runtime; a second call is refused so an agent cannot be re-bound. */
  public final void attach(AgentContext ctx) {
    if (this.context != null) {
      throw new IllegalStateException("agent already attached");
    }
    this.context = ctx;
  }

  private AgentContext ctx() {
    if (context == null) {
      throw new IllegalStateException("agent not attached to the runtime yet (constructor?)");
    }
    return context;
  }

  /** The instance name (the last path segment clients connect to). */
  public final String name() {
    return ctx().name();
  }

  /** The kebab-case class name clients use to route here. */
  public final String agentName() {
    return ctx().agentName();
  }

  // --- state

  /** The state before any was set, persisted on first read; null means "no state". */
  public S initialState() {
    return null;
  }

  /** The current state; treat it as immutable and replace it with {@link #setState}. */
  @SuppressWarnings("unchecked")
  public final S state() {
    return (S) ctx().state();
  }

  /** Validates, persists, broadcasts to every client, then calls onStateChanged(s, null). */
  public final void setState(S state) {
    ctx().setState(state);
  }

  /** Throw to reject a state change; {@code source} is the client's connection, null if server. */
  public void validateStateChange(S next, Connection source) {}

  /** After a change was stored and broadcast; a throwing hook does not undo it. */
  public void onStateChanged(S state, Connection source) {}

  // --- lifecycle hooks

  /** Once per activation (server start or first use), before anything else. */
  public void onStart() {}

  /** After the identity and state frames were sent to the new connection. */
  public void onConnect(Connection connection, ConnectContext context) {}

  /** Any frame that is not a protocol frame (including garbage). */
  public void onMessage(Connection connection, String message) {}

  public void onClose(Connection connection, int code, String reason) {}

  /** An exception from a hook or handler; {@code connection} may be null. */
  public void onError(Connection connection, Throwable error) {
    LOG.log(Level.WARNING, "agent " + agentName() + "/" + name() + " failed", error);
  }

  /** Plain HTTP on the agent's path; default 404 "Not implemented". */
  public AgentResponse onRequest(AgentRequest request) {
    return AgentResponse.text(404, "Not implemented");
  }

  /** Tags of a new connection. */
  public Set<String> connectionTags(ConnectContext context) {
    return Set.of();
  }

  /** Whether a new connection is readonly; by default when the client asks ({@code ?readonly=true}). */
  public boolean isReadonly(ConnectContext context) {
    return "true".equals(context.query().get("readonly"));
  }

  // --- connections

  /** The client whose RPC or frame is being handled now; null in schedules, queue and HTTP. */
  public final Connection currentConnection() {
    return ctx().currentConnection();
  }

  public final Collection<Connection> getConnections() {
    return ctx().connections();
  }

  public final Collection<Connection> getConnections(String tag) {
    return ctx().connections().stream().filter(c -> c.tags().contains(tag)).toList();
  }

  /** Sends {@code message} as is to every connection except {@code excludeIds}. */
  public final void broadcast(String message, String... excludeIds) {
    ctx().broadcast(message, Arrays.asList(excludeIds));
  }

  public final Map<String, CallableInfo> getCallableMethods() {
    return ctx().callableMethods();
  }

  // --- schedules

  /** Runs {@code callback(payload)} once after {@code delaySeconds}. */
  public final Schedule schedule(long delaySeconds, String callback, Object payload) {
    return ctx().schedule(delaySeconds, null, null, null, callback, payload);
  }

  /** Runs {@code callback(payload)} once at {@code when}. */
  public final Schedule schedule(Instant when, String callback, Object payload) {
    return ctx().schedule(0, when, null, null, callback, payload);
  }

  /** Runs {@code callback(payload)} on a 5-field cron expression (UTC); idempotent. */
  public final Schedule schedule(String cron, String callback, Object payload) {
    return ctx().schedule(0, null, cron, null, callback, payload);
  }

  /**
   * Runs {@code callback(payload)} every {@code intervalSeconds}, first after one interval; never
   * two runs at once. Idempotent on (callback, interval, payload), so calling it from onStart on
   * every activation keeps one schedule.
   */
  public final Schedule scheduleEvery(long intervalSeconds, String callback, Object payload) {
    return ctx().schedule(0, null, null, intervalSeconds, callback, payload);
  }

  public final Schedule getSchedule(String id) {
    return ctx().getSchedule(id);
  }

  public final List<Schedule> getSchedules() {
    return ctx().getSchedules(null, null, null);
  }

  /** Schedules of a type (null: any) due within [from, to] (nulls: open). */
  public final List<Schedule> getSchedules(Schedule.Type type, Instant from, Instant to) {
    return ctx().getSchedules(type, from, to);
  }

  public final boolean cancelSchedule(String id) {
    return ctx().cancelSchedule(id);
  }

  // --- queue

  /** Adds {@code callback(payload)} to the instance's FIFO queue; returns the item id. */
  public final String queue(String callback, Object payload) {
    return ctx().queue(callback, payload);
  }

  public final boolean dequeue(String id) {
    return ctx().dequeue(id);
  }

  public final int dequeueAll() {
    return ctx().dequeueAll();
  }

  public final QueueItem getQueue(String id) {
    return ctx().getQueue(id);
  }

  public final List<QueueItem> getQueueItems() {
    return ctx().getQueueItems();
  }

  // --- workflows (docs/agent-workflows.md)

  /**
   * Starts a workflow by name or binding and tracks it; the instance and its tracking row commit
   * together. {@code params} must serialize to a JSON object (a record, a class, a map).
   *
   * @return the instance id ({@code wf_} and a random UUID)
   */
  public final String runWorkflow(String workflow, Object params) {
    return ctx().workflows().runWorkflow(workflow, params, null);
  }

  /** Starts a workflow with an id, metadata or another agent binding of your choice. */
  public final String runWorkflow(String workflow, Object params, RunWorkflowOptions options) {
    return ctx().workflows().runWorkflow(workflow, params, options);
  }

  /** Sends an event to a tracked workflow (what {@code waitForEvent} of {@code type} receives). */
  public final void sendWorkflowEvent(String workflowId, String type, Object payload) {
    ctx().workflows().sendWorkflowEvent(workflowId, type, payload);
  }

  /** Approves a workflow waiting in {@code waitForApproval}. */
  public final void approveWorkflow(String workflowId, String reason, Map<String, ?> metadata) {
    Map<String, Object> payload = new java.util.LinkedHashMap<>();
    payload.put("approved", true);
    payload.put("reason", reason);
    payload.put("metadata", metadata);
    sendWorkflowEvent(workflowId, "approval", payload);
  }

  /** Rejects a workflow waiting in {@code waitForApproval}: it throws WorkflowRejectedError. */
  public final void rejectWorkflow(String workflowId, String reason) {
    Map<String, Object> payload = new java.util.LinkedHashMap<>();
    payload.put("approved", false);
    payload.put("reason", reason);
    sendWorkflowEvent(workflowId, "approval", payload);
  }

  public final void terminateWorkflow(String workflowId) {
    ctx().workflows().terminate(workflowId);
  }

  public final void pauseWorkflow(String workflowId) {
    ctx().workflows().pause(workflowId);
  }

  public final void resumeWorkflow(String workflowId) {
    ctx().workflows().resume(workflowId);
  }

  /** Runs a tracked workflow again from the start; {@code resetTracking} clears its row. */
  public final void restartWorkflow(String workflowId, boolean resetTracking) {
    ctx().workflows().restart(workflowId, null, resetTracking);
  }

  /** Runs a tracked workflow again from a named step, keeping earlier results. */
  public final void restartWorkflow(String workflowId, RestartFrom from, boolean resetTracking) {
    ctx().workflows().restart(workflowId, from, resetTracking);
  }

  /** The instance's status, output and error, read from the engine now. */
  public final InstanceStatus getWorkflowStatus(String workflowId) {
    return ctx().workflows().status(workflowId);
  }

  /** The tracked workflow, or null if this agent does not track that id. */
  public final TrackedWorkflow getWorkflow(String workflowId) {
    return ctx().workflows().get(workflowId);
  }

  /** A page of tracked workflows; see {@link WorkflowQuery}. */
  public final WorkflowPage getWorkflows(WorkflowQuery query) {
    return ctx().workflows().list(query);
  }

  /** Stops tracking a workflow (the instance stays); false if it was not tracked. */
  public final boolean deleteWorkflow(String workflowId) {
    return ctx().workflows().delete(workflowId, false);
  }

  /** Stops tracking a workflow and, with {@code deleteInstance}, deletes the instance too. */
  public final boolean deleteWorkflow(String workflowId, boolean deleteInstance) {
    return ctx().workflows().delete(workflowId, deleteInstance);
  }

  /** Stops tracking every workflow the query's filters match (paging ignored); the count. */
  public final int deleteWorkflows(WorkflowQuery query, boolean deleteInstances) {
    return ctx().workflows().deleteAll(query, deleteInstances);
  }

  /** Renames the workflow name of tracked rows after a binding was renamed; the count. */
  public final int migrateWorkflowBinding(String oldName, String newName) {
    return ctx().workflows().migrateBinding(oldName, newName);
  }

  // --- workflow callbacks: each runs inside this instance, serialized with its other work

  /**
   * Every report of a workflow this agent started. The default dispatches to the four methods
   * below; override it to see them all in one place.
   */
  public void onWorkflowCallback(WorkflowCallback callback) {
    switch (callback.type()) {
      case PROGRESS -> onWorkflowProgress(callback.workflowName(), callback.workflowId(),
          callback.value());
      case COMPLETE -> onWorkflowComplete(callback.workflowName(), callback.workflowId(),
          callback.value());
      case ERROR -> onWorkflowError(callback.workflowName(), callback.workflowId(),
          String.valueOf(callback.value()));
      case EVENT -> onWorkflowEvent(callback.workflowName(), callback.workflowId(),
          callback.value());
      default -> throw new IllegalStateException(callback.type().toString());
    }
  }

  /** {@code reportProgress} of a workflow (not durable: may repeat). */
  public void onWorkflowProgress(String workflowName, String workflowId, Object progress) {}

  /** The workflow's completion, once per run. */
  public void onWorkflowComplete(String workflowName, String workflowId, Object result) {}

  /** An error the workflow reported or that ended it; by default logged. */
  public void onWorkflowError(String workflowName, String workflowId, String error) {
    LOG.warning("workflow " + workflowName + "/" + workflowId + " of agent " + agentName() + "/"
        + name() + " reported an error: " + error);
  }

  /** A custom event the workflow sent with {@code step.sendEvent}. */
  public void onWorkflowEvent(String workflowName, String workflowId, Object event) {}
}
