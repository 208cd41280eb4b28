package dev.steadfast.agent.runtime;

/** A state whose JSON is over {@link AgentLimits#maxState}: nothing was stored or broadcast. */
public final class StateTooLargeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  StateTooLargeException(String message) {
    super(message);
  }
}
