package dev.steadfast.workflow.engine.events;

import dev.steadfast.workflow.InstanceEvent;
import dev.steadfast.workflow.InstanceEventStream;
import dev.steadfast.workflow.WorkflowException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The Java API's stream: the hub's deliveries queued for a consumer that pulls them. */
public final class QueuedStream implements InstanceEventStream, EventSink {
  private static final InstanceEvent END = new InstanceEvent("", 0, java.time.Instant.EPOCH, "",
      java.util.Map.of());

  private final LinkedBlockingQueue<InstanceEvent> queue = new LinkedBlockingQueue<>();
  private volatile boolean ended;
  private volatile boolean closed;
  private volatile RuntimeException error;
  private volatile Runnable unsubscribe = () -> {};

  /** Connects the stream to the hub (after which events flow). */
  public void attach(Runnable unsubscribe) {
    this.unsubscribe = unsubscribe;
    if (closed) {
      unsubscribe.run();
    }
  }

  @Override
  public boolean accept(InstanceEvent event) {
    if (closed) {
      return false;
    }
    queue.add(event);
    return true;
  }

  @Override
  public void end(RuntimeException error) {
    this.error = error;
    queue.add(END);
  }

  @Override
  public InstanceEvent next(Duration timeout) throws InterruptedException {
    if (ended) {
      return null;
    }
    InstanceEvent e = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (e == END) {
      ended = true;
      close();
      if (error instanceof WorkflowException w) {
        throw w;
      }
      return null;
    }
    return e;
  }

  @Override
  public boolean isEnded() {
    return ended;
  }

  @Override
  public void close() {
    closed = true;
    unsubscribe.run();
  }
}
