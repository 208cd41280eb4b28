package dev.steadfast.agent.runtime;

import java.util.function.Consumer;

/**
 * The transport under a connection (a WebSocket session; a fake in tests). Only the connection's
 * writer calls it, one operation at a time and never on the instance lock or the scheduler.
 */
public interface Wire {
  /** Starts sending {@code text}; {@code done} gets null once written, or the failure. */
  void send(String text, Consumer<Throwable> done);

  void ping();

  void close(int code, String reason);
}
