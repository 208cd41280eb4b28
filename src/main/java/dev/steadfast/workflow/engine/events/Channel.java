package dev.steadfast.workflow.engine.events;

import dev.steadfast.workflow.InstanceEvent;
import dev.steadfast.workflow.engine.WorkflowEngine.InstanceView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The events of one instance as this server has published them to its subscribers: an
 * append-only list in memory, fed by re-derivations of the journal. Each subscriber reads it from
 * its own position, so n subscribers cost one journal read per change, not n.
 */
final class Channel {
  final String workflow;
  final String instanceId;
  private final List<InstanceEvent> log = new ArrayList<>();
  private final Set<Long> published = new HashSet<>();
  private final List<Subscriber> subscribers = new ArrayList<>();
  private String lastStatusType;
  private Long terminal;
  private boolean loaded;
  private boolean closed;
  /** The server running the instance at the last read (null: none). */
  volatile String owner;
  volatile long lastReadAt;

  // refresh coalescing: one read in flight, another one queued at most
  boolean reading;
  boolean dirty;

  Channel(String workflow, String instanceId) {
    this.workflow = workflow;
    this.instanceId = instanceId;
  }

  synchronized boolean isEmpty() {
    return subscribers.isEmpty();
  }

  /** Closes the channel if nobody is subscribed (ended subscribers that never unsubscribed). */
  synchronized boolean closeIfEmpty() {
    closed = closed || subscribers.isEmpty();
    return closed;
  }

  synchronized boolean isLoaded() {
    return loaded;
  }

  /**
   * Adds a subscriber and hands it what is published already (if the channel is loaded); false
   * if the channel was closed by its last subscriber leaving.
   */
  synchronized boolean add(Subscriber s) {
    if (closed) {
      return false;
    }
    subscribers.add(s);
    if (loaded && !s.catchUp(log)) {
      subscribers.remove(s);
    }
    return true;
  }

  /** Removes a subscriber; true when it was the last one (the channel is closed then). */
  synchronized boolean remove(Subscriber s) {
    subscribers.remove(s);
    closed = subscribers.isEmpty();
    return closed;
  }

  /** Publishes what a new read of the journal shows and was not published yet. */
  synchronized void update(InstanceView view, List<InstanceEvent> derived) {
    owner = view.instance().owner();
    if (terminal != null && derived.stream().noneMatch(e -> e.eventId() == terminal)) {
      // restarted after its end: every subscriber of the old run has ended with it
      log.clear();
      published.clear();
      lastStatusType = null;
      terminal = null;
    }
    for (InstanceEvent e : derived) {
      if (published.contains(e.eventId())) {
        continue;
      }
      boolean status = e.type().equals("workflow_queued") && view.instance().startedAt() != null
          || e.type().equals("workflow_running") || e.type().equals("workflow_waiting")
          || e.type().equals("workflow_paused") || e.type().equals("workflow_waiting_for_pause")
          || e.type().equals("workflow_rolling_back");
      if (status && e.type().equals(lastStatusType)) {
        continue; // the same status, only the row's modification time moved
      }
      if (status || e.type().equals("workflow_queued")) {
        lastStatusType = e.type();
      } else if (!e.type().startsWith("workflow_")) {
        lastStatusType = null; // a step moved on: the next status report is news again
      }
      if (e.isTerminal()) {
        terminal = e.eventId();
      }
      published.add(e.eventId());
      log.add(e);
    }
    loaded = true;
    // copies: a sink may unsubscribe from inside its callback
    for (Subscriber s : List.copyOf(subscribers)) {
      if (!s.catchUp(log)) {
        subscribers.remove(s);
      }
    }
  }

  /** Asks every subscriber whether it is still there; drops the ones that are gone. */
  synchronized void heartbeat() {
    for (Subscriber s : List.copyOf(subscribers)) {
      if (!s.sink.heartbeat()) {
        subscribers.remove(s);
      }
    }
  }

  /** Ends every subscriber, with {@code error} when the instance is gone. */
  synchronized void fail(RuntimeException error) {
    List<Subscriber> all = List.copyOf(subscribers);
    subscribers.clear();
    for (Subscriber s : all) {
      s.sink.end(error);
    }
  }

  /** One subscriber: its cursor, its filter and how far into the log it has read. */
  static final class Subscriber {
    final EventSink sink;
    private final long cursor;
    private final Predicate<InstanceEvent> filter;
    private int position;
    private boolean ended;

    Subscriber(EventSink sink, long cursor, Predicate<InstanceEvent> filter) {
      this.sink = sink;
      this.cursor = cursor;
      this.filter = filter;
    }

    /** Delivers the log from its position; false once it has ended or its sink is gone. */
    boolean catchUp(List<InstanceEvent> log) {
      while (!ended && position < log.size()) {
        InstanceEvent e = log.get(position++);
        boolean wanted = e.eventId() > cursor && (filter == null || filter.test(e));
        if (wanted && !sink.accept(e)) {
          ended = true;
          return false;
        }
        if (e.isTerminal()) {
          ended = true;
          sink.end(null);
        }
      }
      return !ended;
    }
  }
}
