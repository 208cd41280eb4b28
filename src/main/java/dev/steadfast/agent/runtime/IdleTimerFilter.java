package dev.steadfast.agent.runtime;

import java.lang.reflect.Field;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps Tyrus (the WebSocket implementation of Payara) from scheduling a task for every frame an
 * agent connection sends or receives.
 *
 * <p>Tyrus restarts a session's idle timer on every frame in and out: it cancels the last timer
 * task and schedules a new one, with the session's idle timeout as delay, on the container's
 * managed scheduled executor. Agent sessions have no idle timeout (0: the runtime's pings watch
 * liveness), so the task does nothing, but scheduling it costs Payara a capture of the caller's
 * context, with a {@code ServiceLoader} look through every jar of the server, and a managed
 * thread to run it: a quarter of an RPC's server time in a profile, and one task per client in
 * a broadcast. This filter sits between a session and that executor and drops exactly those
 * tasks: an idle-timeout task scheduled with no delay (no timeout). Everything else (a real idle
 * timeout, the heartbeat) goes to the container's executor unchanged.
 *
 * <p>Tyrus has no setting for this, so the filter is put in the session's private {@code
 * service} field when the connection opens. If that field is not there (another Tyrus), nothing
 * changes and a warning says so once; other containers (WildFly's Undertow) are left alone.
 */
final class IdleTimerFilter implements ScheduledExecutorService {
  private static final Logger LOG = Logger.getLogger(IdleTimerFilter.class.getName());
  static final String TYRUS_SESSION = "org.glassfish.tyrus.core.TyrusSession";
  static final String IDLE_COMMAND = "$IdleTimeoutCommand";

  private static volatile Field serviceField;
  private static volatile boolean unavailable;
  private static volatile IdleTimerFilter shared;

  private final ScheduledExecutorService container;

  IdleTimerFilter(ScheduledExecutorService container) {
    this.container = container;
  }

  /** Puts the filter in front of a Tyrus session's executor; false when it could not. */
  static boolean install(Object session) {
    return install(session, TYRUS_SESSION);
  }

  static boolean install(Object session, String sessionClass) {
    if (unavailable || session == null || !session.getClass().getName().equals(sessionClass)) {
      return false;
    }
    try {
      Field f = serviceField;
      if (f == null || f.getDeclaringClass() != session.getClass()) {
        f = session.getClass().getDeclaredField("service");
        if (f.getType() != ScheduledExecutorService.class) {
          throw new NoSuchFieldException("service is a " + f.getType().getName());
        }
        f.setAccessible(true);
        serviceField = f;
      }
      Object current = f.get(session);
      if (current instanceof IdleTimerFilter) {
        return true;
      }
      if (!(current instanceof ScheduledExecutorService s)) {
        return false;
      }
      IdleTimerFilter filter = shared;
      if (filter == null || filter.container != s) {
        filter = new IdleTimerFilter(s);
        shared = filter; // one container executor in practice: one filter for all sessions
      }
      f.set(session, filter);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      unavailable = true;
      LOG.log(Level.WARNING, "agent connections: could not keep Tyrus from scheduling an idle"
          + " timer task per frame (" + e + "); they work, only slower", e);
      return false;
    }
  }

  /** For tests: forget what was learnt about the session class. */
  static void reset() {
    serviceField = null;
    unavailable = false;
    shared = null;
  }

  ScheduledExecutorService container() {
    return container;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    if (delay <= 0 && command.getClass().getName().endsWith(IDLE_COMMAND)) {
      return Dropped.INSTANCE; // no idle timeout: the task would find nothing to do
    }
    return container.schedule(command, delay, unit);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return container.schedule(callable, delay, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay,
      long period, TimeUnit unit) {
    return container.scheduleAtFixedRate(command, initialDelay, period, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay,
      long delay, TimeUnit unit) {
    return container.scheduleWithFixedDelay(command, initialDelay, delay, unit);
  }

  @Override
  public void shutdown() {
    container.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    return container.shutdownNow();
  }

  @Override
  public boolean isShutdown() {
    return container.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return container.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return container.awaitTermination(timeout, unit);
  }

  @Override
  public <T> Future<T> submit(Callable<T> task) {
    return container.submit(task);
  }

  @Override
  public <T> Future<T> submit(Runnable task, T result) {
    return container.submit(task, result);
  }

  @Override
  public Future<?> submit(Runnable task) {
    return container.submit(task);
  }

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks)
      throws InterruptedException {
    return container.invokeAll(tasks);
  }

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout,
      TimeUnit unit) throws InterruptedException {
    return container.invokeAll(tasks, timeout, unit);
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks)
      throws InterruptedException, ExecutionException {
    return container.invokeAny(tasks);
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    return container.invokeAny(tasks, timeout, unit);
  }

  @Override
  public void execute(Runnable command) {
    container.execute(command);
  }

  /** The future of a dropped task: done, as the task would have been at once. */
  static final class Dropped implements ScheduledFuture<Object> {
    static final Dropped INSTANCE = new Dropped();

    private Dropped() {}

    @Override
    public long getDelay(TimeUnit unit) {
      return 0;
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(0, o.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      return false;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public boolean isDone() {
      return true;
    }

    @Override
    public Object get() {
      return null;
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      return null;
    }
  }
}
