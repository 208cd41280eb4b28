package dev.steadfast.agent.runtime;

import dev.steadfast.agent.Connection;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A connected client of one instance. {@link #send} only queues: one writer per connection
 * empties the queue in order on a worker, one frame in flight at a time, so no agent code, lock
 * holder or scheduler thread ever waits on a client's socket. A client that lets more than
 * {@link AgentLimits#sendQueue} characters pile up, or takes longer than
 * {@link AgentLimits#sendTimeout} to take one frame, is closed (1013) and may reconnect.
 */
public final class LiveConnection implements Connection {
  private static final Logger LOG = Logger.getLogger(LiveConnection.class.getName());
  /** Queue markers for the writer: wire operations other than a text frame. */
  private static final Object PING = new Object();

  private record Close(int code, String reason) {}

  private final String id;
  private final Set<String> tags;
  private final boolean readonly;
  private final Map<String, String> query;
  private final Wire wire;
  private final Executor writer;
  private final AgentLimits limits;
  private final Runnable onAbort;
  private final ArrayDeque<Object> out = new ArrayDeque<>();
  private long queued; // characters in out, guarded by out
  private boolean writing; // a writer task owns the wire, guarded by out
  private boolean inWire; // writeNext is inside wire.send, guarded by out
  private boolean doneInWire; // that send completed before it returned, guarded by out
  /** When the frame in flight started (System.nanoTime), 0 when none is. */
  private volatile long sendingSince;
  /** Run once when the frame a broadcast started here has gone out (see {@link #drive}). */
  private final java.util.concurrent.atomic.AtomicReference<Runnable> windowRelease =
      new java.util.concurrent.atomic.AtomicReference<>();
  private volatile Object state;
  private volatile boolean open = true;
  volatile long lastSeen = System.currentTimeMillis();
  volatile boolean pingOutstanding;

  LiveConnection(String id, Set<String> tags, boolean readonly, Map<String, String> query,
      Wire wire, Executor writer, AgentLimits limits, Runnable onAbort) {
    this.id = id;
    this.tags = Set.copyOf(tags);
    this.readonly = readonly;
    this.query = Map.copyOf(query);
    this.wire = wire;
    this.writer = writer;
    this.limits = limits;
    this.onAbort = onAbort;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Set<String> tags() {
    return tags;
  }

  @Override
  public boolean readonly() {
    return readonly;
  }

  @Override
  public Map<String, String> query() {
    return query;
  }

  @Override
  public Object state() {
    return state;
  }

  @Override
  public void setState(Object state) {
    this.state = state;
  }

  /** Queues {@code message}; never blocks. A dead or overflowing connection drops it. */
  @Override
  public void send(String message) {
    if (!open) {
      return;
    }
    boolean overflow;
    synchronized (out) {
      overflow = queued + message.length() > limits.sendQueue();
      if (!overflow) {
        out.add(message);
        queued += message.length();
        startWriter();
      }
    }
    if (overflow) {
      abort("send queue full: the client reads too slowly");
    }
  }

  /**
   * Queues {@code message} as part of a broadcast without starting a writer task: returns true
   * when this call took the connection's writer, and the caller must then {@link #drive} it. A
   * broadcast to a thousand clients thus costs a thousand queue insertions and one task, not a
   * thousand tasks (a thread each from the growing pool) in front of the caller's reply.
   */
  boolean queueForBroadcast(String message) {
    if (!open) {
      return false;
    }
    boolean overflow;
    boolean claimed = false;
    synchronized (out) {
      overflow = queued + message.length() > limits.sendQueue();
      if (!overflow) {
        out.add(message);
        queued += message.length();
        if (!writing) {
          writing = true;
          claimed = true;
        }
      }
    }
    if (overflow) {
      abort("send queue full: the client reads too slowly");
    }
    return claimed;
  }

  /**
   * Writes what is queued on this thread, for a writer taken by {@link #queueForBroadcast};
   * {@code sent} runs once the first frame has gone out (or failed, or there was nothing to
   * write, or the connection was given up): a broadcast keeps a bounded number of frames in the
   * container's hands with it.
   */
  void drive(Runnable sent) {
    windowRelease.set(sent);
    writeNext();
  }

  private void releaseWindow() {
    Runnable r = windowRelease.getAndSet(null);
    if (r != null) {
      r.run();
    }
  }

  void ping() {
    if (!open) {
      return;
    }
    synchronized (out) {
      out.add(PING);
      startWriter();
    }
  }

  /** Closes after what is queued has been written (the agent's own close, a shutdown). */
  @Override
  public void close(int code, String reason) {
    if (!open) {
      return;
    }
    open = false;
    synchronized (out) {
      out.add(new Close(code, reason));
      startWriter();
    }
  }

  /**
   * Drops what is queued and closes now (1013), on a worker: the connection is given up as too
   * slow. The runtime forgets it at once rather than waiting for a close the client may never
   * complete.
   */
  void abort(String reason) {
    if (!open) {
      return;
    }
    open = false;
    synchronized (out) {
      out.clear();
      queued = 0;
    }
    releaseWindow(); // a send that never completes must not hold a broadcast's window
    LOG.info("closing agent connection " + id + ": " + reason);
    onAbort.run(); // forgotten by the runtime first: it no longer counts once the client sees it
    writer.execute(() -> {
      try {
        wire.close(CloseCodes.TRY_AGAIN_LATER, reason);
      } catch (RuntimeException | Error e) {
        LOG.log(Level.FINE, "close failed", e);
      }
    });
  }

  /** True when the frame in flight has taken longer than the send timeout. */
  boolean stalled(long nowNanos) {
    long since = sendingSince;
    return since != 0 && nowNanos - since > limits.sendTimeout().toNanos();
  }

  private void startWriter() {
    if (!writing) {
      writing = true;
      writer.execute(this::writeNext);
    }
  }

  /** Writes the head of the queue; an async send continues from its completion. */
  private void writeNext() {
    while (true) {
      Object next;
      synchronized (out) {
        next = out.poll();
        if (next == null) {
          writing = false;
        }
      }
      if (next == null) {
        releaseWindow();
        return;
      }
      try {
        if (next instanceof String text) {
          sendingSince = System.nanoTime();
          synchronized (out) {
            inWire = true;
          }
          try {
            wire.send(text, failure -> sent(text, failure));
          } finally {
            synchronized (out) {
              inWire = false;
            }
          }
          synchronized (out) {
            if (!doneInWire) {
              return; // the completion goes on from its own thread
            }
            doneInWire = false; // completed already: go on here, no task per frame
          }
        } else if (next == PING) {
          wire.ping();
        } else if (next instanceof Close c) {
          wire.close(c.code(), c.reason());
        }
      } catch (RuntimeException | Error e) {
        // a dead socket must not fail the sender; its close event cleans up
        LOG.log(Level.FINE, "write to connection " + id + " failed", e);
      }
    }
  }

  private void sent(String text, Throwable failure) {
    sendingSince = 0;
    releaseWindow();
    if (failure != null) {
      // a lost frame leaves the client out of step (a container may also refuse a write when
      // its own buffer for a client that does not read is full): close, the client reconnects
      // and gets the current state
      LOG.log(Level.FINE, "send to connection " + id + " failed", failure);
      abort("a frame could not be sent: " + failure);
    }
    synchronized (out) {
      queued = Math.max(0, queued - text.length());
      if (inWire) {
        doneInWire = true;
        return;
      }
    }
    try {
      writer.execute(this::writeNext);
    } catch (RuntimeException e) {
      synchronized (out) {
        writing = false; // executor gone: the server is stopping
      }
    }
  }

  boolean isOpen() {
    return open;
  }

  void markClosed() {
    open = false;
  }
}
