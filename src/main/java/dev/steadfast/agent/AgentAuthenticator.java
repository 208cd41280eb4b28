package dev.steadfast.agent;

/**
 * Admission control: every CDI bean implementing this is asked before a WebSocket connection or
 * HTTP request reaches an agent. A rejected WebSocket is closed with 1008 (policy violation),
 * which the {@code agents} client treats as final; a rejected HTTP request gets 401.
 */
public interface AgentAuthenticator {
  /** True to admit. Runs before the agent is touched, so it must not depend on agent state. */
  boolean admit(ConnectContext context);
}
