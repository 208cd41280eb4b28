package dev.steadfast.agent.runtime;

import dev.steadfast.agent.QueueItem;
import dev.steadfast.agent.store.AgentStore;
import dev.steadfast.agent.store.QueueEntity;
import java.lang.reflect.Method;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The per-instance FIFO queue: one drainer per instance runs items in order, each retried and
 * then removed whatever the outcome, so a failing item never blocks the ones behind it.
 */
public final class Queue {
  private static final Logger LOG = Logger.getLogger(Queue.class.getName());
  private final AgentRuntime runtime;
  private final AgentStore store;
  private final Executor workers;
  private final Retry retry;
  private final AtomicLong seq = new AtomicLong();

  Queue(AgentRuntime runtime, Executor workers, Retry retry) {
    this.runtime = runtime;
    this.store = runtime.store();
    this.workers = workers;
    this.retry = retry;
  }

  /** Seeds the order counter above what is stored and resumes the queues left by a restart. */
  void start() {
    Long max = store.maxSeq();
    seq.set(max == null ? 0 : max);
    for (Object[] owner : store.queueOwners()) {
      try {
        kick(runtime.instance((String) owner[0], (String) owner[1]));
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "cannot resume queue of " + owner[0] + "/" + owner[1], e);
      }
    }
  }

  String add(AgentInstance in, String callback, Object payload) {
    if (in.type().callback(callback) == null) {
      throw new IllegalArgumentException("callback " + callback + " is not a method of "
          + in.type().type().getSimpleName());
    }
    long now = runtime.clock().millis();
    QueueEntity q = new QueueEntity();
    q.id = UUID.randomUUID().toString();
    q.agent = in.type().kebab();
    q.name = in.name();
    q.callback = callback;
    q.payload = runtime.codec().write(payload);
    // monotonic across restarts as long as the clock is: millis * 1000 leaves room per millisecond
    q.seq = seq.updateAndGet(prev -> Math.max(prev + 1, now * 1000));
    q.createdAt = now;
    store.insert(q);
    kick(in);
    return q.id;
  }

  QueueItem item(AgentInstance in, String id) {
    QueueEntity q = store.queueItem(in.type().kebab(), in.name(), id);
    return q == null ? null : toRecord(q);
  }

  List<QueueItem> items(AgentInstance in) {
    return store.queue(in.type().kebab(), in.name(), 10_000).stream().map(this::toRecord).toList();
  }

  private QueueItem toRecord(QueueEntity q) {
    return new QueueItem(q.id, q.callback, runtime.codec().read(q.payload, Object.class),
        q.createdAt);
  }

  void kick(AgentInstance live) {
    // an agent may still hold an evicted object (e.g. in a late async continuation)
    AgentInstance in = live.evicted ? runtime.instance(live.type().kebab(), live.name()) : live;
    if (in.draining.compareAndSet(false, true)) {
      workers.execute(() -> drain(in));
    }
  }

  private void drain(AgentInstance in) {
    String agent = in.type().kebab();
    try {
      while (true) {
        List<QueueEntity> head = store.queue(agent, in.name(), 1);
        if (head.isEmpty()) {
          break;
        }
        QueueEntity q = head.get(0);
        runOne(in, q);
        store.dequeue(agent, in.name(), q.id);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "queue of " + agent + "/" + in.name() + " stopped", e);
    } finally {
      in.draining.set(false);
    }
    // an item added between the last look and the flag reset would otherwise wait
    if (store.countQueue(agent, in.name()) > 0) {
      kick(in);
    }
  }

  private void runOne(AgentInstance in, QueueEntity q) {
    Method m = in.type().callback(q.callback);
    if (m == null) {
      LOG.warning("queue item " + q.id + ": no callback " + q.callback + "; dropped");
      return;
    }
    QueueItem info = toRecord(q);
    try {
      // checked again on the lock: the item may have been dequeued while the drainer waited
      retry.run(() -> Invoker.await(in.exclusive(
          () -> store.queueItem(q.agent, q.name, q.id) == null ? null
              : Invoker.callback(runtime.codec(), m, in.agent(), q.payload, info))));
    } catch (RuntimeException | Error e) {
      in.exclusive(() -> in.reportError(null, e));
    }
  }
}
