package dev.steadfast.agent;

/**
 * The stream handle of a streaming {@link Callable}: chunks, then one end or error. Calls after
 * the end or an error are ignored, so a late producer cannot corrupt the reply.
 */
public interface StreamingResponse {
  /** Sends one chunk ({@code done:false}). */
  void send(Object chunk);

  /** Ends the stream with a final value ({@code done:true}). */
  void end(Object finalValue);

  /** Ends the stream with an error message. */
  void error(String message);

  /** True once end or error was called. */
  boolean isClosed();
}
