package dev.steadfast.workflow.engine.events;

import dev.steadfast.workflow.InstanceEvent;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.engine.EngineEvent;
import dev.steadfast.workflow.engine.EngineListener;
import dev.steadfast.workflow.engine.WorkflowEngine;
import dev.steadfast.workflow.engine.WorkflowEngine.InstanceView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The event stream of one server. Holds a {@link Channel} per instance that has subscribers. An
 * engine event of that instance (this server ran something) makes the channel read the journal
 * once and publish what is new to all its subscribers; a periodic poll does the same for channels
 * that heard nothing lately, which covers instances run by another server on the same database
 * and changes made without an engine event.
 */
public final class EventHub implements EngineListener {
  private static final Logger LOG = Logger.getLogger(EventHub.class.getName());

  private final WorkflowEngine engine;
  private final Executor readers;
  private final long pollMillis;
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();
  private final ScheduledFuture<?> poller;
  private final AtomicLong reads = new AtomicLong();
  private static final long HEARTBEAT_MILLIS = 15_000;
  private long lastHeartbeat = System.nanoTime() / 1_000_000;

  /**
   * @param readers runs the journal reads (never the engine's scheduler threads)
   * @param poll how often a channel with no local news reads the journal anyway
   */
  public EventHub(WorkflowEngine engine, Executor readers, ScheduledExecutorService scheduler,
      Duration poll) {
    this.engine = engine;
    this.readers = readers;
    this.pollMillis = poll.toMillis();
    this.poller = scheduler.scheduleWithFixedDelay(this::poll, pollMillis, pollMillis,
        TimeUnit.MILLISECONDS);
    engine.addListener(this);
  }

  /**
   * Subscribes {@code sink} to an instance's events after {@code cursor}.
   *
   * @throws WorkflowException if the workflow or the instance does not exist
   */
  public Runnable subscribe(String workflow, String instanceId, long cursor,
      Predicate<InstanceEvent> filter, EventSink sink) {
    String key = key(workflow, instanceId);
    Channel.Subscriber sub = new Channel.Subscriber(sink, cursor, filter);
    while (true) {
      Channel ch = channels.computeIfAbsent(key, k -> new Channel(workflow, instanceId));
      if (!ch.isLoaded()) {
        // a first subscriber reads the journal here, so an unknown instance fails the call
        InstanceView view;
        try {
          reads.incrementAndGet();
          view = engine.view(workflow, instanceId);
        } catch (RuntimeException e) {
          channels.computeIfPresent(key, (k, c) -> c == ch && c.isEmpty() ? null : c);
          throw e;
        }
        ch.update(view, derive(view));
        ch.lastReadAt = System.nanoTime() / 1_000_000;
      }
      if (ch.add(sub)) {
        return () -> {
          if (ch.remove(sub)) {
            channels.remove(key, ch);
          }
        };
      }
      // the last subscriber left and closed this channel meanwhile: take a new one
    }
  }

  /** Journal reads made so far (for tests and metrics: they do not grow with subscribers). */
  public long reads() {
    return reads.get();
  }

  /** Open channels (instances with at least one subscriber on this server). */
  public int channelCount() {
    return channels.size();
  }

  /**
   * Stops polling and ends every subscription without a terminal event (an SSE client
   * reconnects, to this server when it is back or to another one).
   */
  public void close() {
    poller.cancel(false);
    engine.removeListener(this);
    for (Channel ch : channels.values()) {
      ch.fail(null);
    }
    channels.clear();
  }

  @Override
  public void onEvent(EngineEvent event) {
    Channel ch = channels.get(key(event.workflow(), event.instanceId()));
    if (ch != null) {
      refresh(ch);
    }
  }

  private void poll() {
    long now = System.nanoTime() / 1_000_000;
    if (now - lastHeartbeat >= HEARTBEAT_MILLIS) {
      lastHeartbeat = now;
      List<Channel> all = List.copyOf(channels.values());
      try {
        readers.execute(() -> all.forEach(Channel::heartbeat));
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "event stream heartbeat not scheduled", e);
      }
    }
    for (Channel ch : channels.values()) {
      if (ch.closeIfEmpty()) {
        channels.remove(key(ch.workflow, ch.instanceId), ch);
      } else if (now - ch.lastReadAt >= pollMillis) {
        refresh(ch);
      }
    }
  }

  /** Reads the journal for {@code ch} soon; requests made while a read runs share one more read. */
  private void refresh(Channel ch) {
    synchronized (ch) {
      if (ch.reading) {
        ch.dirty = true;
        return;
      }
      ch.reading = true;
    }
    try {
      readers.execute(() -> read(ch));
    } catch (RuntimeException e) {
      synchronized (ch) {
        ch.reading = false;
      }
      LOG.log(Level.FINE, "event stream read not scheduled", e);
    }
  }

  private void read(Channel ch) {
    while (true) {
      synchronized (ch) {
        ch.dirty = false;
      }
      try {
        ch.lastReadAt = System.nanoTime() / 1_000_000;
        if (!ch.isEmpty()) {
          reads.incrementAndGet();
          InstanceView view = engine.view(ch.workflow, ch.instanceId);
          ch.update(view, derive(view));
        }
      } catch (WorkflowException e) {
        ch.fail(e);
        channels.remove(key(ch.workflow, ch.instanceId), ch);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "event stream: could not read " + ch.workflow + "/" + ch.instanceId,
            e);
      }
      synchronized (ch) {
        if (!ch.dirty) {
          ch.reading = false;
          return;
        }
      }
    }
  }

  private static List<InstanceEvent> derive(InstanceView v) {
    return EventLog.derive(v.instance(), v.steps(), v.attempts(), v.rollback());
  }

  private static String key(String workflow, String instanceId) {
    return workflow + "/" + instanceId;
  }
}
