package dev.steadfast.agent;

import java.util.Map;
import java.util.Set;

/** One client connection of an agent instance (a WebSocket). Thread-safe. */
public interface Connection {
  /** The connection id: the client's {@code _pk}, kept across its reconnects. */
  String id();

  /** Tags given at connect time by {@link Agent#connectionTags}. */
  Set<String> tags();

  /** Readonly connections may call methods but not set the agent's state. */
  boolean readonly();

  /** Query parameters of the connect request (first value of each). */
  Map<String, String> query();

  /** Per-connection state, kept in memory for the connection's lifetime; null at first. */
  Object state();

  void setState(Object state);

  /** Sends a raw text frame. */
  void send(String message);

  /** Closes the connection with a WebSocket close code. */
  void close(int code, String reason);
}
