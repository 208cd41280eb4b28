package dev.steadfast.agent.runtime;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.AgentContext;
import dev.steadfast.agent.CallableInfo;
import dev.steadfast.agent.Connection;
import dev.steadfast.agent.QueueItem;
import dev.steadfast.agent.Schedule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import dev.steadfast.agent.AgentWorkflowOps;
import dev.steadfast.workflow.engine.StepWrites;
import dev.steadfast.workflow.store.JournalWriter.Stmt;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One live agent instance: the object, its lock (the actor), its cached state and connections.
 * The lock is reentrant so a hook may call setState or schedule without deadlocking itself.
 */
public final class AgentInstance implements AgentContext {
  private static final Logger LOG = Logger.getLogger(AgentInstance.class.getName());
  private final AgentRuntime runtime;
  private final AgentType type;
  private final String name;
  private final Agent<Object> agent;
  private static final ThreadLocal<Connection> CURRENT = new ThreadLocal<>();
  private final ReentrantLock lock = new ReentrantLock(true);
  private final Map<String, LiveConnection> connections = new ConcurrentHashMap<>();
  final AtomicBoolean draining = new AtomicBoolean();
  /** Work under way outside the lock (an RPC awaiting its result, a schedule run, an opening). */
  private final AtomicInteger busy = new AtomicInteger();
  private volatile long lastActive;
  /** Set once the runtime dropped this object; a later use goes to a fresh activation. */
  volatile boolean evicted;
  private String stateJson; // null: never set
  /** Set while a workflow step holds this instance (joinStep); guarded by the lock. */
  private StepTx stepTx;
  private Object stateValue;

  @SuppressWarnings("unchecked")
  AgentInstance(AgentRuntime runtime, AgentType type, String name, Agent<?> agent,
      String storedState) {
    this.runtime = runtime;
    this.type = type;
    this.name = name;
    this.agent = (Agent<Object>) agent;
    this.stateJson = storedState;
    this.stateValue = storedState == null ? null : runtime.codec().read(storedState, type.stateType());
    this.lastActive = runtime.clock().millis();
  }

  public Agent<Object> agent() {
    return agent;
  }

  public AgentType type() {
    return type;
  }

  /** Runs {@code work} holding the instance: every entry into agent code goes through here. */
  public <T> T exclusive(Supplier<T> work) {
    lock.lock();
    try {
      return work.get();
    } finally {
      lastActive = runtime.clock().millis();
      lock.unlock();
    }
  }

  /** Marks work that holds this instance without holding its lock; pair with {@link #done}. */
  void busy() {
    busy.incrementAndGet();
  }

  void done() {
    lastActive = runtime.clock().millis();
    busy.decrementAndGet();
  }

  /** True when nothing uses this instance and nothing ran in it after {@code cutoff}. */
  boolean idleSince(long cutoff) {
    return busy.get() == 0 && connections.isEmpty() && !draining.get() && !lock.isLocked()
        && !lock.hasQueuedThreads() && lastActive <= cutoff;
  }

  public void exclusive(Runnable work) {
    exclusive(() -> {
      work.run();
      return null;
    });
  }

  /** Calls a hook; its failure goes to onError and never further. */
  void hook(Connection c, Runnable work) {
    onBehalfOf(c, () -> {
      try {
        work.run();
      } catch (RuntimeException | Error e) {
        reportError(c, e);
      }
      return null;
    });
  }

  void reportError(Connection c, Throwable e) {
    try {
      agent.onError(c, e);
    } catch (RuntimeException again) {
      LOG.log(Level.WARNING, "onError of " + type.kebab() + "/" + name + " failed", again);
    }
  }

  @Override
  public String agentName() {
    return type.kebab();
  }

  @Override
  public String name() {
    return name;
  }

  // --- state

  @Override
  public Object state() {
    return exclusive(() -> {
      if (stateJson == null) {
        Object init = agent.initialState();
        if (init != null) {
          store(init);
        }
      }
      return stateValue;
    });
  }

  /** True when a state frame goes to new connections (state set, or an initial state exists). */
  boolean hasState() {
    state();
    return stateJson != null;
  }

  String stateJson() {
    return exclusive(() -> stateJson);
  }

  private void store(Object value) {
    String json = runtime.codec().write(value);
    int max = runtime.limits().maxState();
    if (json.length() > max) {
      throw new StateTooLargeException("state of " + type.kebab() + "/" + name + " is "
          + json.length() + " characters of JSON, over steadfast.agents.max-state-size (" + max
          + ")");
    }
    if (stepTx == null) {
      try {
        runtime.store().saveState(type.kebab(), name, json, runtime.clock().millis(),
            runtime.owner());
      } catch (dev.steadfast.agent.store.OwnershipLostException lost) {
        runtime.letGo(this, lost.getMessage());
        throw lost;
      }
    } else {
      stepTx.changed = true; // written with the workflow step's journal row (joinStep)
    }
    stateJson = json;
    stateValue = value;
  }

  /** Runs now, or after the commit of the workflow step holding this instance (joinStep). */
  private void afterCommit(Runnable r) {
    if (stepTx == null) {
      r.run();
    } else {
      stepTx.after.add(r);
    }
  }

  /** What a workflow step changed in this instance, pending the step's commit. */
  private static final class StepTx {
    final String oldJson;
    final Object oldValue;
    boolean changed;
    final List<Runnable> after = new ArrayList<>();

    StepTx(String oldJson, Object oldValue) {
      this.oldJson = oldJson;
      this.oldValue = oldValue;
    }
  }

  /**
   * Runs {@code work} inside this instance on behalf of the workflow step running on this thread,
   * so that what it changes commits in the step's journal transaction ({@link StepWrites}): state
   * writes (setState, also from callbacks the work calls) become one UPDATE joined to the step,
   * with {@code work}'s own statements; broadcasts and onStateChanged wait for the commit. The
   * instance stays held until the step's fate is known, so nothing else sees uncommitted state;
   * if the step does not commit, the state in memory goes back to what it was.
   */
  void joinStep(Consumer<List<Stmt>> work) {
    if (!StepWrites.inStep()) {
      throw new IllegalStateException("this needs to run inside a workflow step");
    }
    lock.lock();
    boolean handedOver = false;
    StepTx tx = new StepTx(stateJson, stateValue);
    try {
      List<Stmt> stmts = new ArrayList<>();
      stepTx = tx;
      try {
        work.accept(stmts);
      } finally {
        stepTx = null;
      }
      if (tx.changed) {
        List<Object> params = new ArrayList<>(List.of(stateJson, runtime.clock().millis(),
            type.kebab(), name));
        params.addAll(Arrays.asList(StepWrites.guardParams()));
        stmts.add(new Stmt("UPDATE sf_agent SET state = ?, updated_at = ? WHERE agent = ?"
            + " AND name = ? AND " + StepWrites.guard(), params.toArray()));
      }
      StepWrites.add(new StepWrites.Extra() {
        @Override
        public List<Stmt> statements() {
          return stmts;
        }

        @Override
        public void committed() {
          try {
            tx.after.forEach(Runnable::run);
          } finally {
            lastActive = runtime.clock().millis();
            lock.unlock();
          }
        }

        @Override
        public void discarded() {
          stateJson = tx.oldJson;
          stateValue = tx.oldValue;
          lock.unlock();
        }
      });
      handedOver = true;
    } catch (RuntimeException e) {
      // nothing was handed to the step: undo what the work changed in memory
      stateJson = tx.oldJson;
      stateValue = tx.oldValue;
      throw e;
    } finally {
      if (!handedOver) {
        lock.unlock();
      }
    }
  }

  @Override
  public void setState(Object state) {
    Connection caller = CURRENT.get();
    if (caller != null && caller.readonly()) {
      // as in the agents SDK: a readonly client cannot change state through a method either
      throw new IllegalStateException("Connection is readonly");
    }
    exclusive(() -> {
      agent.validateStateChange(state, null);
      store(state);
      String frame = Codec.state(stateJson);
      afterCommit(() -> {
        broadcast(frame, List.of());
        hookQuietly(null, () -> agent.onStateChanged(state, null));
      });
    });
  }

  /** A state frame from a client: readonly and validation refusals answer with a state error. */
  void setStateFromClient(LiveConnection from, String json) {
    if (from.readonly()) {
      from.send(Codec.stateError("Connection is readonly"));
      return;
    }
    exclusive(() -> {
      Object value;
      try {
        value = runtime.codec().read(json, type.stateType());
        agent.validateStateChange(value, from);
      } catch (RuntimeException | Error e) {
        from.send(Codec.stateError("State update rejected"));
        return;
      }
      try {
        store(value);
      } catch (StateTooLargeException e) {
        from.send(Codec.stateError("State too large"));
        return;
      }
      broadcast(Codec.state(stateJson), List.of(from.id()));
      hookQuietly(from, () -> agent.onStateChanged(value, from));
    });
  }

  private void hookQuietly(Connection c, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException | Error e) {
      reportError(c, e);
    }
  }

  // --- connections

  void add(LiveConnection c) {
    LiveConnection old = connections.put(c.id(), c);
    if (old != null && old != c) {
      old.markClosed(); // a reconnect with the same _pk replaced it
    }
  }

  boolean remove(LiveConnection c) {
    return connections.remove(c.id(), c);
  }

  Collection<LiveConnection> live() {
    return connections.values();
  }

  @Override
  public Connection currentConnection() {
    return CURRENT.get();
  }

  /** Runs agent code on behalf of {@code c}, visible through currentConnection(). */
  <T> T onBehalfOf(Connection c, Supplier<T> work) {
    Connection previous = CURRENT.get();
    CURRENT.set(c);
    try {
      return exclusive(work);
    } finally {
      CURRENT.set(previous);
    }
  }

  @Override
  public Collection<Connection> connections() {
    return List.copyOf(connections.values());
  }

  public int connectionCount() {
    return connections.size();
  }

  /**
   * Queues {@code message} on every connection but the excluded ones, in the caller's order with
   * whatever else they are sent. The caller's own connection (an RPC's) starts writing at once,
   * so its reply follows without waiting; the others are written by tasks on workers (one per
   * core for a large broadcast), so a state-changing call does not wait for its broadcast to
   * reach every client.
   */
  @Override
  public void broadcast(String message, Collection<String> excludeIds) {
    Connection caller = CURRENT.get();
    List<LiveConnection> toWrite = null;
    int sent = 0;
    for (LiveConnection c : connections.values()) {
      if (excludeIds.contains(c.id())) {
        continue;
      }
      sent++;
      if (c == caller) {
        c.send(message);
      } else if (c.queueForBroadcast(message)) {
        if (toWrite == null) {
          toWrite = new ArrayList<>();
        }
        toWrite.add(c);
      }
    }
    if (toWrite != null) {
      runtime.broadcasts().drive(toWrite);
    }
    runtime.metrics().broadcast(type.kebab(), sent);
  }

  AgentMetrics metrics() {
    return runtime.metrics();
  }

  @Override
  public Map<String, CallableInfo> callableMethods() {
    return type.callableInfos();
  }

  // --- schedules and queue: the runtime's services, scoped to this instance

  @Override
  public Schedule schedule(long delaySeconds, Instant at, String cron, Long intervalSeconds,
      String callback, Object payload) {
    return runtime.schedules().create(this, delaySeconds, at, cron, intervalSeconds, callback,
        payload);
  }

  @Override
  public Schedule getSchedule(String id) {
    return runtime.schedules().get(this, id);
  }

  @Override
  public List<Schedule> getSchedules(Schedule.Type t, Instant from, Instant to) {
    return runtime.schedules().list(this, t, from, to);
  }

  @Override
  public boolean cancelSchedule(String id) {
    return runtime.schedules().cancel(this, id);
  }

  @Override
  public String queue(String callback, Object payload) {
    return runtime.queue().add(this, callback, payload);
  }

  @Override
  public boolean dequeue(String id) {
    return runtime.store().dequeue(type.kebab(), name, id);
  }

  @Override
  public int dequeueAll() {
    return runtime.store().dequeueAll(type.kebab(), name);
  }

  @Override
  public QueueItem getQueue(String id) {
    return runtime.queue().item(this, id);
  }

  @Override
  public List<QueueItem> getQueueItems() {
    return new ArrayList<>(runtime.queue().items(this));
  }

  @Override
  public AgentWorkflowOps workflows() {
    return runtime.workflows().ops(this);
  }
}
