package dev.steadfast.agent.runtime;

import dev.steadfast.agent.Connection;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A connected client of one instance. Sends are serialized per connection by the wire lock. */
public final class LiveConnection implements Connection {
  private static final Logger LOG = Logger.getLogger(LiveConnection.class.getName());
  private final String id;
  private final Set<String> tags;
  private final boolean readonly;
  private final Map<String, String> query;
  private final Wire wire;
  private volatile Object state;
  private volatile boolean open = true;
  volatile long lastSeen = System.currentTimeMillis();
  volatile boolean pingOutstanding;

  LiveConnection(String id, Set<String> tags, boolean readonly, Map<String, String> query,
      Wire wire) {
    this.id = id;
    this.tags = Set.copyOf(tags);
    this.readonly = readonly;
    this.query = Map.copyOf(query);
    this.wire = wire;
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

  @Override
  public void send(String message) {
    if (!open) {
      return;
    }
    try {
      synchronized (wire) {
        wire.send(message);
      }
    } catch (RuntimeException e) {
      // a dead socket must not fail the broadcaster; its close event cleans up
      LOG.log(Level.FINE, "send to connection " + id + " failed", e);
    }
  }

  void ping() {
    try {
      synchronized (wire) {
        wire.ping();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "ping failed", e);
    }
  }

  @Override
  public void close(int code, String reason) {
    open = false;
    try {
      wire.close(code, reason);
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "close failed", e);
    }
  }

  boolean isOpen() {
    return open;
  }

  void markClosed() {
    open = false;
  }
}
