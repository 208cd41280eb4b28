package dev.steadfast.agent.runtime;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Runs tasks one at a time in submission order on a shared pool (one per connection). */
final class SerialExecutor implements Executor {
  private static final Logger LOG = Logger.getLogger(SerialExecutor.class.getName());
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private final Executor pool;
  private boolean running;

  SerialExecutor(Executor pool) {
    this.pool = pool;
  }

  @Override
  public synchronized void execute(Runnable task) {
    tasks.add(task);
    if (!running) {
      running = true;
      pool.execute(this::drain);
    }
  }

  private void drain() {
    while (true) {
      Runnable next;
      synchronized (this) {
        next = tasks.poll();
        if (next == null) {
          running = false;
          return;
        }
      }
      try {
        next.run();
      } catch (RuntimeException | Error e) {
        // an Error must not end the drain with running still set: the connection would be deaf
        LOG.log(Level.WARNING, "connection task failed", e);
      }
    }
  }
}
