package dev.steadfast.agent.runtime;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Hands the frames of broadcasts to the container. A broadcast queues its frame on every
 * connection and takes the writers of those that were idle; this starts them, on workers, with a
 * bound on the frames in the container's hands across the server.
 */
final class BroadcastDriver {
  /**
   * Frames broadcasts may have handed to the container and not seen go out, across the server.
   * Without a bound a broadcast to 10,000 clients gave Payara's HTTP worker queue (4,096 tasks)
   * a write event per client at once: it refused the rest, and clients missed the frame.
   */
  static final int WINDOW = 1_024;
  /** Connections one task writes at least; below twice that, one task writes all. */
  static final int SLICE = 1_024;
  private static final int DRIVERS = Math.max(1, Runtime.getRuntime().availableProcessors());

  private final ExecutorService workers;
  private final Supplier<Duration> sendTimeout;
  private final Semaphore window = new Semaphore(WINDOW);

  BroadcastDriver(ExecutorService workers, Supplier<Duration> sendTimeout) {
    this.workers = workers;
    this.sendTimeout = sendTimeout;
  }

  /**
   * Starts the writers a broadcast took, on workers: as many as there are cores, each with a
   * slice of at least {@link #SLICE} connections. On Payara a frame costs the container about
   * 25 us, so one thread alone took a quarter second to hand a state frame to 10,000 clients.
   * The frames of one connection stay in order: each connection is in one slice. The price:
   * while a large broadcast is being handed out, every core is busy with it, and a call made
   * meanwhile waits for a core (see docs/benchmarks.md).
   */
  void drive(List<LiveConnection> writers) {
    int tasks = Math.max(1, Math.min(DRIVERS, writers.size() / SLICE));
    int size = (writers.size() + tasks - 1) / tasks;
    for (int from = 0; from < writers.size(); from += size) {
      List<LiveConnection> slice = writers.subList(from, Math.min(writers.size(), from + size));
      workers.execute(() -> slice.forEach(this::driveWindowed));
    }
  }

  /**
   * Starts writing {@code c}'s queue once the window has room; waits at most a send timeout for
   * it (frames stuck in dead connections are given up by then), then writes regardless.
   */
  private void driveWindowed(LiveConnection c) {
    boolean taken;
    try {
      taken = window.tryAcquire(sendTimeout.get().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      taken = false;
    }
    c.drive(taken ? window::release : () -> { });
  }
}
