package dev.steadfast.agent.runtime;

import dev.steadfast.agent.ConnectContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A wire that records frames, standing in for a WebSocket. */
final class FakeWire implements Wire {
  final List<String> frames = new CopyOnWriteArrayList<>();
  volatile Integer closedWith;
  final java.util.concurrent.atomic.AtomicInteger pings = new java.util.concurrent.atomic.AtomicInteger();
  ClientSession session;

  static FakeWire connect(AgentRuntime rt, String agent, String name, String pk,
      Map<String, String> query) {
    FakeWire w = new FakeWire();
    w.session = rt.connect(new ConnectContext(agent, name, pk, query, Map.of()), w);
    return w;
  }

  /** While set, sends never complete: a client that stopped reading. */
  volatile boolean stalled;
  /** While set, sends fail: a container that refuses a write. */
  volatile boolean failing;
  final List<java.util.function.Consumer<Throwable>> pending = new CopyOnWriteArrayList<>();

  /** While set, a send holds the thread that makes it until the latch opens: a blocking write. */
  volatile java.util.concurrent.CountDownLatch blockUntil;

  @Override
  public void send(String text, java.util.function.Consumer<Throwable> done) {
    java.util.concurrent.CountDownLatch block = blockUntil;
    if (block != null) {
      try {
        block.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    frames.add(text);
    if (failing) {
      done.accept(new java.io.IOException("write refused"));
    } else if (stalled) {
      pending.add(done);
    } else {
      done.accept(null);
    }
  }

  @Override
  public void ping() {
    pings.incrementAndGet();
  }

  @Override
  public void close(int code, String reason) {
    closedWith = code;
  }

  /** Waits for a frame matching {@code p}. */
  String await(Predicate<String> p) {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < end) {
      for (String f : frames) {
        if (p.test(f)) {
          return f;
        }
      }
      sleep(5);
    }
    throw new AssertionError("no matching frame in " + frames);
  }

  String await(String contains) {
    return await(f -> f.contains(contains));
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
