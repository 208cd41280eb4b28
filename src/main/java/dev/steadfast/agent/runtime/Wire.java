package dev.steadfast.agent.runtime;

/** The transport under a connection (a WebSocket session; a fake in tests). */
public interface Wire {
  void send(String text);

  void ping();

  void close(int code, String reason);
}
