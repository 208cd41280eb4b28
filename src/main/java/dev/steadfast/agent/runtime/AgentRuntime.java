package dev.steadfast.agent.runtime;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.AgentAuthenticator;
import dev.steadfast.agent.AgentRequest;
import dev.steadfast.agent.AgentResponse;
import dev.steadfast.agent.Agents;
import dev.steadfast.workflow.engine.WorkflowEngine;
import dev.steadfast.agent.ConnectContext;
import dev.steadfast.agent.store.AgentEntity;
import dev.steadfast.agent.store.AgentLeases;
import dev.steadfast.agent.store.AgentStore;
import dev.steadfast.workflow.engine.Transactor;
import dev.steadfast.workflow.engine.WakeUpTimer;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agent registry: one live {@link AgentInstance} per (class, name), activated on first use
 * (onStart runs once, before anything else reaches it), plus the services they share. Free of
 * container APIs so it runs in plain tests; the server wires it in {@link AgentRegistry}.
 */
public final class AgentRuntime {
  private static final Logger LOG = Logger.getLogger(AgentRuntime.class.getName());
  /** How long an unused instance stays in memory (steadfast.agents.idle-eviction). */
  public static final Duration DEFAULT_IDLE_EVICTION = Duration.ofMinutes(10);
  /** How long a live instance's ownership holds without renewal (steadfast.agents.lease). */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
  private final Map<String, AgentType> types = new TreeMap<>();
  private final LiveInstances instances = new LiveInstances();
  private final AgentFactory factory;
  private final AgentStore store;
  private final Codec codec = new Codec();
  private final Clock clock;
  private final ExecutorService workers;
  private final BroadcastDriver broadcasts;
  private final ScheduledExecutorService scheduler;
  private final Schedules schedules;
  private final Queue queue;
  private volatile Supplier<List<AgentAuthenticator>> authenticators = List::of;
  private volatile AgentLimits limits = AgentLimits.DEFAULT;
  private final AtomicInteger connections = new AtomicInteger();
  private final AgentMetrics metrics =
      new AgentMetrics(this::connectionCount, () -> instances.all().size());
  private ScheduledFuture<?> pinger;
  private ScheduledFuture<?> evictor;
  private final Transactor tx;
  private final AgentHandles handles = new AgentHandles(this);
  private volatile AgentWorkflows workflows;
  private ScheduledFuture<?> watchdog;
  private ScheduledFuture<?> renewer;
  private ScheduledFuture<?> leaseRenewer;
  private ScheduledFuture<?> unreportedSweep;
  private volatile dev.steadfast.workflow.engine.EngineListener engineListener;
  private volatile WorkflowEngine attachedEngine;
  /** How often a server looks for workflow errors no agent was told of (see AgentWorkflows). */
  static final Duration UNREPORTED_SWEEP = Duration.ofSeconds(30);
  private final AgentLeases leases;
  /** This server in the ownership leases ({@link #setOwner}); random for a plain runtime. */
  private volatile String owner = "runtime-" + java.util.UUID.randomUUID();
  private volatile long leaseMillis = DEFAULT_LEASE.toMillis();
  /** System.nanoTime() when the last successful renewal of every lease began. */
  private volatile long renewedAt = System.nanoTime();

  public AgentRuntime(Collection<Class<? extends Agent<?>>> classes, AgentFactory factory,
      Transactor tx, WakeUpTimer timer, ExecutorService workers,
      ScheduledExecutorService scheduler, Clock clock, Retry retry) {
    for (Class<? extends Agent<?>> c : classes) {
      AgentType t = new AgentType(c);
      AgentType clash = types.put(t.kebab(), t);
      if (clash != null) {
        throw new IllegalArgumentException(c.getName() + " and " + clash.type().getName()
            + " both route as " + t.kebab());
      }
    }
    this.factory = factory;
    this.tx = tx;
    this.store = new AgentStore(tx);
    this.leases = new AgentLeases(tx);
    this.clock = clock;
    this.workers = workers;
    this.broadcasts = new BroadcastDriver(workers, () -> limits.sendTimeout());
    this.scheduler = scheduler;
    this.schedules = new Schedules(this, timer, workers, retry);
    this.queue = new Queue(this, workers, retry);
  }

  public void start(long pingMillis) {
    start(pingMillis, DEFAULT_IDLE_EVICTION.toMillis());
  }

  /**
   * Resumes queues and schedules left by the previous run; starts pinging idle sockets and
   * evicting instances idle for {@code idleMillis} (0: never), so memory follows the working set.
   */
  public void start(long pingMillis, long idleMillis) {
    renewedAt = System.nanoTime(); // no lease is older than this
    Agents.install(handles);
    queue.start();
    schedules.poll();
    if (pingMillis > 0) {
      pinger = scheduler.scheduleWithFixedDelay(this::pingIdle, pingMillis, pingMillis,
          TimeUnit.MILLISECONDS);
    }
    // a quarter of the send timeout: a stalled client is given up within 1.25 timeouts
    long check = Math.max(10, Math.min(limits.sendTimeout().toMillis() / 4, 1_000));
    watchdog = scheduler.scheduleWithFixedDelay(this::abortStalled, check, check,
        TimeUnit.MILLISECONDS);
    renewer = scheduler.scheduleWithFixedDelay(() -> workers.execute(schedules::renew),
        Schedules.RENEW_MILLIS, Schedules.RENEW_MILLIS, TimeUnit.MILLISECONDS);
    long renewLease = Math.max(10, leaseMillis / 3);
    leaseRenewer = scheduler.scheduleWithFixedDelay(() -> workers.execute(this::renewLeases),
        renewLease, renewLease, TimeUnit.MILLISECONDS);
    if (workflows != null) {
      // errors the engine ended tracked workflows with while no listener heard them (a crash,
      // another server): at start, then every UNREPORTED_SWEEP
      unreportedSweep = scheduler.scheduleWithFixedDelay(() -> workers.execute(
          () -> quietly("tell agents of failed workflows", () -> workflows.sweepUnreported(100))),
          0, UNREPORTED_SWEEP.toMillis(), TimeUnit.MILLISECONDS);
    }
    if (idleMillis > 0) {
      // sweeping at a quarter of the idle time keeps an instance at most 1.25 idle periods
      long every = Math.max(10, Math.min(idleMillis / 4, 60_000));
      evictor = scheduler.scheduleWithFixedDelay(() -> evictIdle(idleMillis), every, every,
          TimeUnit.MILLISECONDS);
    }
  }

  /**
   * What a killed server leaves behind, for tests: every periodic task stops (no lease renewed,
   * nothing swept) and nothing is released; its leases run out on their own.
   */
  void abandon() {
    for (ScheduledFuture<?> f : java.util.Arrays.asList(pinger, evictor, watchdog, renewer,
        leaseRenewer, unreportedSweep)) {
      if (f != null) {
        f.cancel(false);
      }
    }
    detachFromEngine();
  }

  /** Stops hearing the engine's events (at stop; a test's way to miss a failure). */
  void detachFromEngine() {
    WorkflowEngine e = attachedEngine;
    if (e != null) {
      e.removeListener(engineListener);
    }
  }

  private void quietly(String what, Runnable work) {
    try {
      work.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not " + what, e);
    }
  }

  /** Delivers now the workflow errors no agent was told of (what the periodic sweep does). */
  int sweepUnreportedErrors() {
    return workflows().sweepUnreported(100);
  }

  /**
   * Renews this server's leases, then lets go of every live instance whose lease another server
   * took meanwhile (this one's ran out: a long pause, a database outage).
   */
  void renewLeases() {
    try {
      long began = System.nanoTime();
      List<AgentInstance> live = instances.all();
      leases.renewAll(owner, leaseMillis);
      renewedAt = began;
      if (live.isEmpty()) {
        return;
      }
      java.util.Set<String> held = leases.held(owner);
      for (AgentInstance in : live) {
        if (!held.contains(key(in.type().kebab(), in.name()))) {
          letGo(in, "its lease ran out and it is no longer this server's");
        }
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot renew the ownership of live agent instances", e);
    }
  }

  /** This server's id in the ownership leases. */
  String owner() {
    return owner;
  }

  /**
   * True while every lease this server holds is surely still its own: the last renewal (or the
   * start) is younger than the lease minus a fifth. Leases taken since are younger still.
   */
  boolean leasesFresh() {
    long margin = Math.max(leaseMillis / 5, 1);
    return System.nanoTime() - renewedAt < (leaseMillis - margin) * 1_000_000L;
  }

  /**
   * The instance, activated here if need be, checked to still be this server's: when the last
   * renewal is old (a stall, an outage) the leases are renewed first, and an instance whose
   * lease another server took meanwhile is let go. Throws {@link AgentElsewhereException} naming
   * the server that holds it.
   */
  AgentInstance owned(String kebab, String name) {
    AgentInstance in = instance(kebab, name);
    if (!leasesFresh()) {
      renewLeases();
      if (in.evicted) {
        return instance(kebab, name);
      }
    }
    return in;
  }

  /**
   * Drops a live instance this server no longer owns: its clients are closed with 1001 and
   * reconnect to whichever server holds it now; nothing of it is released (it is not ours).
   */
  void letGo(AgentInstance in, String why) {
    if (instances.drop(key(in.type().kebab(), in.name()), in)) {
      LOG.warning("agent " + in.type().kebab() + "/" + in.name() + " leaves this server: " + why);
      in.live().forEach(c -> c.close(CloseCodes.GOING_AWAY, "agent instance moved"));
    }
  }

  /** This server's id in the ownership leases, and how long a lease holds; before start. */
  public void setOwner(String serverId, Duration lease) {
    this.owner = serverId;
    this.leaseMillis = lease.toMillis();
  }

  private void evictIdle(long idleMillis) {
    try {
      int n = instances.evictIdle(clock.millis() - idleMillis, in -> workers.execute(() -> {
        try {
          instances.ifAbsent(key(in.type().kebab(), in.name()),
              () -> leases.release(in.type().kebab(), in.name(), owner));
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "cannot release " + in.type().kebab() + "/" + in.name(), e);
        }
      }));
      if (n > 0) {
        LOG.fine(() -> "evicted " + n + " idle agent instance(s)");
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "agent eviction failed", e);
    }
  }

  public void stop() {
    Agents.uninstall(handles);
    if (pinger != null) {
      pinger.cancel(false);
    }
    if (evictor != null) {
      evictor.cancel(false);
    }
    if (watchdog != null) {
      watchdog.cancel(false);
    }
    if (renewer != null) {
      renewer.cancel(false);
    }
    if (leaseRenewer != null) {
      leaseRenewer.cancel(false);
    }
    if (unreportedSweep != null) {
      unreportedSweep.cancel(false);
    }
    detachFromEngine();
    for (AgentInstance in : instances.all()) {
      in.live().forEach(c -> c.close(1001, "server shutting down"));
    }
    try {
      leases.releaseAll(owner); // another server may take them at once, not after the lease
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot release the agent instances of " + owner, e);
    }
  }

  /** Sets the bounds on clients; call before {@link #start}. */
  public void setLimits(AgentLimits limits) {
    this.limits = limits;
  }

  public AgentLimits limits() {
    return limits;
  }

  /** Runs {@code work} on a worker (never on the caller's lock or the scheduler). */
  void execute(Runnable work) {
    workers.execute(work);
  }

  /** Hands broadcasts' frames to the container: bounded, on as many workers as cores. */
  BroadcastDriver broadcasts() {
    return broadcasts;
  }

  public void setAuthenticators(Supplier<List<AgentAuthenticator>> authenticators) {
    this.authenticators = authenticators;
  }

  public boolean admit(ConnectContext ctx) {
    for (AgentAuthenticator a : authenticators.get()) {
      if (!a.admit(ctx)) {
        return false;
      }
    }
    return true;
  }

  public Map<String, AgentType> types() {
    return types;
  }

  public boolean knows(String kebab) {
    return types.containsKey(kebab);
  }

  /** The live instance, activating it (creating the object, loading state, onStart) if needed. */
  public AgentInstance instance(String kebab, String name) {
    AgentType type = types.get(kebab);
    if (type == null) {
      throw new NoSuchAgentException(kebab);
    }
    return instances.get(key(kebab, name), clock.millis(), () -> activate(type, name));
  }

  private AgentInstance activate(AgentType type, String name) {
    String holder = leases.acquire(type.kebab(), name, owner, leaseMillis);
    if (holder != null) {
      throw new AgentElsewhereException(type.kebab(), name, holder);
    }
    AgentEntity row = store.loadOrCreate(type.kebab(), name, clock.millis());
    Agent<?> agent = factory.create(type.type());
    AgentInstance in = new AgentInstance(this, type, name, agent, row.state);
    agent.attach(in);
    in.hook(null, agent::onStart);
    return in;
  }

  /** The instance if it is live now, without activating it. */
  public AgentInstance liveInstance(String kebab, String name) {
    return instances.peek(key(kebab, name));
  }

  private static String key(String kebab, String name) {
    return kebab + "\u0000" + name;
  }

  /**
   * Opens a client session on an admitted connection, or closes it (1013) and returns null when
   * this server already holds {@link AgentLimits#maxConnections}.
   */
  public ClientSession connect(ConnectContext ctx, Wire wire) {
    if (connections.incrementAndGet() > limits.maxConnections()) {
      connections.decrementAndGet();
      LOG.warning(() -> "refused an agent connection: " + limits.maxConnections()
          + " open (steadfast.agents.max-connections)");
      workers.execute(() -> wire.close(CloseCodes.TRY_AGAIN_LATER, "Too many connections"));
      return null;
    }
    ClientSession s;
    try {
      s = new ClientSession(this, instance(ctx.agent(), ctx.name()), ctx, wire, workers);
    } catch (RuntimeException | Error e) {
      connections.decrementAndGet();
      throw e;
    }
    s.open();
    metrics.connected(ctx.agent());
    return s;
  }

  /**
   * {@link #connect}, for a connection whose agent is live on another server: keeps trying, every
   * half second or so, for as long as that server's lease could still hold after it died (the
   * lease and two seconds), so that a client whose server went away is served by this one as soon
   * as the agent is free, rather than sent away. (The {@code agents} client resets its
   * {@code ready} promise when a connection closes, so a client awaiting {@code ready} across a
   * refused first connection would wait for ever.) {@code onConnected} gets the session. When
   * the other server renews its lease meanwhile (it is alive: the client reached the wrong
   * server) or still holds the agent at the end, the connection is closed with 1013 (it may come
   * back) and {@code onConnected} is not called; nor when {@code open} says the client left.
   */
  public void connectWhenFree(ConnectContext ctx, Wire wire, java.util.function.BooleanSupplier open,
      java.util.function.Consumer<ClientSession> onConnected) {
    long deadline = System.nanoTime() + (leaseMillis + 2_000) * 1_000_000L;
    long every = Math.max(50, Math.min(500, leaseMillis / 10));
    String kebab = ctx.agent();
    Long[] firstSeen = {leases.leaseUntil(kebab, ctx.name())};
    Runnable[] attempt = new Runnable[1];
    attempt[0] = () -> {
      if (!open.getAsBoolean()) {
        return;
      }
      try {
        ClientSession s = connect(ctx, wire);
        if (s != null) {
          onConnected.accept(s);
        }
      } catch (AgentElsewhereException stillHeld) {
        Long until = leases.leaseUntil(kebab, ctx.name());
        boolean renewed = until != null && firstSeen[0] != null && until > firstSeen[0];
        if (firstSeen[0] == null) {
          firstSeen[0] = until;
        }
        if (renewed || System.nanoTime() - deadline > 0) {
          // the holder renewed its lease, so it is alive: no use waiting for it
          wire.close(CloseCodes.TRY_AGAIN_LATER, "Agent is live on another server");
        } else {
          scheduler.schedule(() -> workers.execute(attempt[0]), every, TimeUnit.MILLISECONDS);
        }
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "could not connect to agent " + ctx.agent() + "/" + ctx.name(), e);
        wire.close(CloseCodes.TRY_AGAIN_LATER, "Agent unavailable");
      }
    };
    scheduler.schedule(() -> workers.execute(attempt[0]), every, TimeUnit.MILLISECONDS);
  }

  /** A session counted by {@link #connect} ended. */
  void disconnected() {
    connections.decrementAndGet();
  }

  /** The agents' metrics on this server. */
  public AgentMetrics metrics() {
    return metrics;
  }

  /** Open agent connections on this server. */
  public int connectionCount() {
    return connections.get();
  }

  /** Gives up connections whose client has not taken a frame within the send timeout. */
  private void abortStalled() {
    long now = System.nanoTime();
    try {
      for (AgentInstance in : instances.all()) {
        for (LiveConnection c : in.live()) {
          if (c.stalled(now)) {
            c.abort("no frame written in " + limits.sendTimeout().toMillis() + " ms");
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "agent send watchdog failed", e);
    }
  }

  /** Plain HTTP to an agent: its onRequest under the instance lock. */
  public AgentResponse request(String kebab, String name, AgentRequest request) {
    AgentInstance in = instance(kebab, name);
    in.busy();
    try {
      return in.exclusive(() -> in.agent().onRequest(request));
    } catch (RuntimeException | Error e) {
      in.exclusive(() -> in.reportError(null, e));
      return AgentResponse.text(500, "Internal error");
    } finally {
      in.done();
    }
  }

  private void pingIdle() {
    long now = System.currentTimeMillis();
    for (AgentInstance in : instances.all()) {
      for (LiveConnection c : in.live()) {
        try {
          if (c.pingOutstanding) {
            // no pong since the last ping: the client is gone; closing lets it reconnect
            c.close(1001, "ping timeout");
          } else if (now - c.lastSeen > 1_000) {
            c.pingOutstanding = true;
            c.ping();
          }
        } catch (RuntimeException e) {
          LOG.log(Level.FINE, "ping failed", e);
        }
      }
    }
  }

  /**
   * Lets this runtime's agents run workflows on {@code engine} (runWorkflow, tracking, callbacks);
   * the engine must use the same database. Warns about tracked workflows no longer deployed.
   */
  public void attachWorkflows(WorkflowEngine engine) {
    engine.metrics().addCollector(metrics);
    AgentWorkflows w = new AgentWorkflows(this, engine, tx.dataSource());
    workflows = w;
    // the turns of this engine report to this runtime (not to whichever runtime installed itself
    // last in Agents: two servers in one JVM, as in tests)
    engine.attach(dev.steadfast.agent.AgentWorkflowStep.Bridge.class, w);
    engineListener = e -> {
      if (e.type() == dev.steadfast.workflow.engine.EngineEvent.Type.WORKFLOW_FAILURE) {
        try {
          workers.execute(() -> quietly("tell agents of a failed workflow",
              () -> w.onEngineEvent(e)));
        } catch (java.util.concurrent.RejectedExecutionException busy) {
          // the next sweep tells them
        }
      }
    };
    engine.addListener(engineListener);
    attachedEngine = engine;
    try {
      w.checkBindings();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not check the tracked workflows' names", e);
    }
  }

  AgentWorkflows workflows() {
    AgentWorkflows w = workflows;
    if (w == null) {
      throw new IllegalStateException("agents cannot run workflows: no workflow engine is"
          + " attached to the agent runtime");
    }
    return w;
  }

  /**
   * The workflows an agent instance tracks, read without activating it (the admin view);
   * empty when no workflow engine is attached.
   */
  public dev.steadfast.agent.WorkflowPage trackedWorkflows(String agent, String name,
      dev.steadfast.agent.WorkflowQuery query) {
    AgentWorkflows w = workflows;
    if (w == null) {
      return new dev.steadfast.agent.WorkflowPage(List.of(), 0, null);
    }
    return new InstanceWorkflows(w, agent, name).list(query);
  }

  /** Server code's handles on agent instances (also {@link Agents#get}). */
  public <A extends Agent<?>> dev.steadfast.agent.AgentHandle<A> handle(Class<A> type,
      String name) {
    return handles.get(type, name);
  }

  public AgentStore store() {
    return store;
  }

  public Codec codec() {
    return codec;
  }

  public Clock clock() {
    return clock;
  }

  Schedules schedules() {
    return schedules;
  }

  Queue queue() {
    return queue;
  }
}
